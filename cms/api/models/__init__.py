from .changes import Change, ChangeAction, ChangeAudience, ChangeSequence
from .items import PublishedItem, PublishedItemCategory
from .keys import ApiKey, ApiKeyUsage

__all__ = [
    "ApiKey",
    "ApiKeyUsage",
    "Change",
    "ChangeAction",
    "ChangeAudience",
    "ChangeSequence",
    "PublishedItem",
    "PublishedItemCategory",
]
