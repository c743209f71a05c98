from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

# INSEE codes are five characters: digits, except Corsica's 2A/2B departments.
validate_insee_code = RegexValidator(
    r"^(?:\d{5}|2[AB]\d{3})$", _("Un code INSEE compte cinq caractères (ex. 44052, 2A004).")
)
validate_postcode = RegexValidator(r"^\d{5}$", _("Un code postal compte cinq chiffres."))
latitude_validators = [MinValueValidator(-90.0), MaxValueValidator(90.0)]
longitude_validators = [MinValueValidator(-180.0), MaxValueValidator(180.0)]


def validate_postcodes(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Les codes postaux forment une liste de chaînes."))
    for item in value:
        validate_postcode(item)


def validate_coordinates_pair(latitude: float | None, longitude: float | None) -> None:
    """Refuse half a position: both coordinates or neither."""
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise ValidationError({field: _("Renseignez la latitude et la longitude ensemble.")})
