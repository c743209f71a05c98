/*!
 * Clocher widget: a commune's upcoming events or latest news, on any web page.
 *
 *   <script src="https://CLOCHER-SERVER/static/widget/clocher-widget.js" defer></script>
 *   <clocher-events commune="44052" limit="5"></clocher-events>
 *   <clocher-news around="44052" radius-km="10"></clocher-news>
 *
 * No dependency, no build step. Remote text is only ever set with textContent and
 * links are checked to be http(s): the API's strings cannot inject markup or script.
 * Documentation: docs/widget.md.
 */
(() => {
  "use strict";

  // The server that served this script answers the API, unless api-base says otherwise.
  const SCRIPT_ORIGIN = (() => {
    try {
      return new URL(document.currentScript.src, window.location.href).origin;
    } catch (_error) {
      return window.location.origin;
    }
  })();
  const DEFAULT_LIMIT = 5;
  const MAX_LIMIT = 50;

  const STYLE = `
    :host {
      display: block;
      font-family: var(--clocher-font, system-ui, sans-serif);
      color: var(--clocher-color, #1f2328);
      background: var(--clocher-background, transparent);
      line-height: 1.4;
    }
    :host([hidden]) { display: none; }
    h2 {
      font-size: var(--clocher-heading-size, 1.15em);
      margin: 0 0 .5em;
    }
    ul { list-style: none; margin: 0; padding: 0; }
    li {
      padding: var(--clocher-gap, .6em) 0;
      border-bottom: 1px solid var(--clocher-border, #d0d7de);
    }
    li:last-child { border-bottom: 0; }
    a {
      color: var(--clocher-accent, #0b5cad);
      font-weight: 600;
      text-decoration: underline;
      text-underline-offset: .15em;
    }
    a:focus-visible { outline: 2px solid var(--clocher-accent, #0b5cad); outline-offset: 2px; }
    .meta { display: block; color: var(--clocher-muted, #59636e); font-size: .9em; }
    .meta > * + *::before { content: " · "; }
    [part~="status"] { color: var(--clocher-muted, #59636e); margin: 0; }
    [part~="status"][data-state="error"] { color: var(--clocher-error, #a40e26); }
  `;

  function safeHref(value) {
    try {
      const url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_error) {
      return null;
    }
  }

  function element(tag, { part, text, attrs } = {}) {
    const node = document.createElement(tag);
    if (part) node.setAttribute("part", part);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    return node;
  }

  function formatDate(iso, { timeZone, withTime, lang }) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const options = { weekday: "long", day: "numeric", month: "long", timeZone };
    if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
    try {
      return new Intl.DateTimeFormat(lang, options).format(date);
    } catch (_error) {
      // An unknown time zone: show the reader's local time rather than nothing.
      delete options.timeZone;
      return new Intl.DateTimeFormat(lang, options).format(date);
    }
  }

  class ClocherList extends HTMLElement {
    static get observedAttributes() {
      return ["commune", "around", "radius-km", "category", "limit", "api-base", "data-api",
              "api-key", "heading", "lang"];
    }

    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this._controller = null;
      this._scheduled = false;
    }

    connectedCallback() {
      this._schedule();
    }

    disconnectedCallback() {
      if (this._controller) this._controller.abort();
    }

    attributeChangedCallback(_name, oldValue, newValue) {
      if (oldValue !== newValue && this.isConnected) this._schedule();
    }

    // Several attributes set in a row trigger one fetch.
    _schedule() {
      if (this._scheduled) return;
      this._scheduled = true;
      queueMicrotask(() => {
        this._scheduled = false;
        this.load();
      });
    }

    get apiBase() {
      const base = this.getAttribute("api-base") || this.getAttribute("data-api") || SCRIPT_ORIGIN;
      return base.endsWith("/") ? base : `${base}/`;
    }

    // Not "lang": HTMLElement already has that property.
    get locale() {
      return this.getAttribute("lang") || "fr";
    }

    get limit() {
      const value = Number.parseInt(this.getAttribute("limit") || "", 10);
      return Number.isFinite(value) ? Math.min(Math.max(value, 1), MAX_LIMIT) : DEFAULT_LIMIT;
    }

    requestUrl() {
      const url = new URL(this.constructor.endpoint, this.apiBase);
      const params = url.searchParams;
      const around = this.getAttribute("around");
      if (around) {
        params.set("around", around);
        const radius = this.getAttribute("radius-km");
        if (radius) params.set("radius_km", radius);
      } else if (this.getAttribute("commune")) {
        params.set("commune", this.getAttribute("commune"));
      }
      if (this.getAttribute("category")) params.set("category", this.getAttribute("category"));
      if (this.locale !== "fr") params.set("locale", this.locale);
      params.set("page_size", String(this.limit));
      return url;
    }

    // The commune's colour (its identity on the site), unless the page sets its own.
    async loadIdentity(commune) {
      if (getComputedStyle(this).getPropertyValue("--clocher-accent").trim()) return;
      try {
        const url = new URL(`identite/${encodeURIComponent(commune)}.json`, this.apiBase);
        const response = await fetch(url, { mode: "cors", credentials: "omit" });
        if (!response.ok) return;
        const identity = await response.json();
        if (/^#[0-9a-f]{6}$/i.test(identity.colour || "")) {
          this.style.setProperty("--clocher-accent", identity.colour);
        }
      } catch (_error) {
        // The default colour stays: the list matters more than its colour.
      }
    }

    async load() {
      if (this._controller) this._controller.abort();
      const controller = new AbortController();
      this._controller = controller;
      if (!this.getAttribute("commune") && !this.getAttribute("around")) {
        this._renderStatus("error", "Widget mal configuré : indiquez l'attribut commune ou around.");
        return;
      }
      this._renderStatus("loading", "Chargement…");
      if (!this.getAttribute("around")) this.loadIdentity(this.getAttribute("commune"));
      const headers = { Accept: "application/json" };
      if (this.getAttribute("api-key")) headers["X-Api-Key"] = this.getAttribute("api-key");
      let items;
      try {
        const response = await fetch(this.requestUrl(), {
          headers, mode: "cors", credentials: "omit", signal: controller.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = await response.json();
        items = Array.isArray(body.results) ? body.results : [];
      } catch (error) {
        if (error.name === "AbortError") return;
        this._renderStatus("error", this.constructor.errorText);
        this.dispatchEvent(new CustomEvent("clocher:error", { detail: { error: String(error) } }));
        return;
      }
      if (controller !== this._controller) return;
      this._renderItems(items.slice(0, this.limit));
      this.dispatchEvent(new CustomEvent("clocher:loaded", { detail: { count: items.length } }));
    }

    _frame() {
      const root = this.shadowRoot;
      root.replaceChildren();
      const style = element("style");
      style.textContent = STYLE;
      const section = element("section", { part: "container" });
      const headingText = this.hasAttribute("heading")
        ? this.getAttribute("heading") : this.constructor.headingText;
      if (headingText) {
        const heading = element("h2", { part: "heading", text: headingText });
        heading.id = "heading";
        section.setAttribute("aria-labelledby", "heading");
        section.append(heading);
      }
      root.append(style, section);
      return section;
    }

    _renderStatus(state, text) {
      const section = this._frame();
      section.setAttribute("aria-busy", state === "loading" ? "true" : "false");
      const status = element("p", {
        part: `status ${state}`, text, attrs: { role: state === "error" ? "alert" : "status" },
      });
      status.dataset.state = state;
      section.append(status);
    }

    _renderItems(items) {
      if (items.length === 0) {
        this._renderStatus("empty", this.constructor.emptyText);
        return;
      }
      const section = this._frame();
      section.setAttribute("aria-busy", "false");
      const list = element("ul", { part: "list" });
      const home = this.getAttribute("around") || this.getAttribute("commune") || "";
      for (const item of items) {
        const entry = element("li", { part: "item" });
        const href = safeHref(item.url);
        const title = href
          ? element("a", { part: "link", text: item.title, attrs: { href } })
          : element("span", { part: "title", text: item.title });
        entry.append(title);
        const meta = element("span", { part: "meta" });
        meta.className = "meta";
        for (const node of this.metaNodes(item, home)) meta.append(node);
        if (meta.childNodes.length) entry.append(meta);
        list.append(entry);
      }
      section.append(list);
    }

    // The commune's name when the list mixes communes (neighbourhood, several communes).
    communeNode(item, home) {
      const commune = item.commune || {};
      const own = [commune.insee, commune.slug].filter(Boolean)
        .some((value) => home.split(",").includes(value));
      if (!commune.name || own) return null;
      return element("span", { part: "commune", text: `via ${commune.name}` });
    }
  }

  class ClocherEvents extends ClocherList {
    static endpoint = "api/events";
    static headingText = "Prochains événements";
    static emptyText = "Aucun événement à venir.";
    static errorText = "L'agenda ne peut pas être affiché pour le moment.";

    metaNodes(item, home) {
      const nodes = [];
      if (item.start) {
        const text = formatDate(item.start, {
          timeZone: item.time_zone || undefined, withTime: !item.all_day, lang: this.locale,
        });
        if (text) nodes.push(element("time", { part: "date", text, attrs: { datetime: item.start } }));
      }
      if (item.venue_name) nodes.push(element("span", { part: "place", text: item.venue_name }));
      const commune = this.communeNode(item, home);
      if (commune) nodes.push(commune);
      return nodes;
    }
  }

  class ClocherNews extends ClocherList {
    static endpoint = "api/news";
    static headingText = "Actualités";
    static emptyText = "Aucune actualité pour le moment.";
    static errorText = "Les actualités ne peuvent pas être affichées pour le moment.";

    metaNodes(item, home) {
      const nodes = [];
      const day = item.date || item.first_published_at;
      if (day) {
        // A bare date is a calendar day: format it as such, whatever the reader's zone.
        const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(day);
        const text = formatDate(day, { timeZone: dateOnly ? "UTC" : undefined, withTime: false,
                                       lang: this.locale });
        if (text) nodes.push(element("time", { part: "date", text, attrs: { datetime: day } }));
      }
      const commune = this.communeNode(item, home);
      if (commune) nodes.push(commune);
      return nodes;
    }
  }

  if (!customElements.get("clocher-events")) customElements.define("clocher-events", ClocherEvents);
  if (!customElements.get("clocher-news")) customElements.define("clocher-news", ClocherNews);
})();
