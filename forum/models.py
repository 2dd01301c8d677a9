"""Every table, imported in one place so Alembic and tests see the whole schema."""

from forum.accounts.models import ApiToken, AuthSession, Block, Role, User
from forum.chat.models import ChatMessage, CheckIn, MessageStatus, Room
from forum.circle_moderation.models import SettingsChange
from forum.circles.models import (
    Circle,
    CircleRole,
    Membership,
    Rule,
    RuleItem,
    RuleVersion,
    Visibility,
)
from forum.db import Base
from forum.mail.models import MailToken, MemberEmail
from forum.notifications.models import Notification
from forum.ratelimit.models import RateLimit
from forum.reactions.models import MessageReaction, PostReaction
from forum.review.models import CrisisResource, LogEntry, Report, ReviewItem, SiteSettings
from forum.rules.models import RuleProposal, RuleStance
from forum.safety.models import SafetyPlan
from forum.threads.models import Post, PostRevision, PostStatus, Thread

__all__ = [
    "ApiToken",
    "AuthSession",
    "Base",
    "Block",
    "ChatMessage",
    "CheckIn",
    "Circle",
    "CircleRole",
    "CrisisResource",
    "LogEntry",
    "MailToken",
    "MemberEmail",
    "Membership",
    "MessageReaction",
    "MessageStatus",
    "Notification",
    "Post",
    "PostReaction",
    "PostRevision",
    "PostStatus",
    "RateLimit",
    "Report",
    "ReviewItem",
    "Role",
    "Room",
    "Rule",
    "RuleItem",
    "RuleProposal",
    "RuleStance",
    "RuleVersion",
    "SafetyPlan",
    "SettingsChange",
    "SiteSettings",
    "Thread",
    "User",
    "Visibility",
]
