"""Form widgets of the resident site that render without the template engine.

Why: the agenda's filters list the neighbourhood's communes (30 around a big town) and
the categories; Django renders each <option> through a template, ~0.1 ms each, ~8 ms
per agenda page. The HTML is the same as Django's (name, id, attributes, `selected`).
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group_choices, _index in widget["optgroups"]:
            rendered = format_html_join(
                "\n", '<option value="{}"{}>{}</option>',
                ((option["value"], flatatt(option["attrs"]), option["label"])
                 for option in group_choices))
            options.append(format_html('<optgroup label="{}">{}</optgroup>', group_name,
                                       rendered) if group_name else rendered)
        return format_html('<select name="{}"{}>\n{}\n</select>', widget["name"],
                           flatatt(widget["attrs"]), mark_safe("\n".join(options)))  # noqa: S308 (escaped above)
