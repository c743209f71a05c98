from .changes import Change, ChangeAction, ChangeAudience, ChangeSequence
from .items import ItemKind, PublishedItem, PublishedItemCategory
from .keys import ApiKey, ApiKeyUsage

__all__ = [
    "ApiKey",
    "ApiKeyUsage",
    "Change",
    "ChangeAction",
    "ChangeAudience",
    "ChangeSequence",
    "ItemKind",
    "PublishedItem",
    "PublishedItemCategory",
]
