from .audience import PUBLIC_STATES, Audience, AudienceState
from .changes import Change, ChangeAction, ChangeAudience, ChangeSequence
from .items import PublishedItem, PublishedItemCategory
from .keys import ApiKey, ApiKeyUsage

__all__ = [
    "PUBLIC_STATES",
    "ApiKey",
    "Audience",
    "AudienceState",
    "ApiKeyUsage",
    "Change",
    "ChangeAction",
    "ChangeAudience",
    "ChangeSequence",
    "PublishedItem",
    "PublishedItemCategory",
]
