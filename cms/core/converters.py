"""URL converters shared by every app's routes."""


class IdConverter:
    """A database id in a URL: 1 to 18 digits, so that it always fits a 64-bit
    integer column. A longer number does not match the route (404), where `int`
    matched it and the database refused it (a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))
