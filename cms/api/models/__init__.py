from .changes import Change, ChangeAction, ChangeSequence
from .items import ItemKind, PublishedItem, PublishedItemCategory
from .keys import ApiKey, ApiKeyUsage

__all__ = [
    "ApiKey",
    "ApiKeyUsage",
    "Change",
    "ChangeAction",
    "ChangeSequence",
    "ItemKind",
    "PublishedItem",
    "PublishedItemCategory",
]
