"""Every table, imported in one place so the migrations see the whole schema."""

from sqlmodel import SQLModel

from kiosk_server.audit.models import AuditEntry
from kiosk_server.calls.models import (
    Call,
    CallSettings,
    Case,
    ExitSurvey,
    LeaveAnswer,
    LeavingFlag,
)
from kiosk_server.campaigns.models import Campaign, CampaignRecipient
from kiosk_server.cards.models import Card
from kiosk_server.checkin.models import Checkin, EventFeed, Scan
from kiosk_server.customers.models import Customer, CustomerImport, Visit
from kiosk_server.events.models import Event, Invitation, InvitationSend, InvitationSendRun
from kiosk_server.feedback.models import (
    Complaint,
    ComplaintStep,
    Feedback,
    FeedbackRequest,
    FeedbackSettings,
)
from kiosk_server.loyalty.models import Coupon, LoyaltyAccount, Purchase, Redemption, Reward
from kiosk_server.messaging.models import OutboxImage, OutboxMessage
from kiosk_server.offline.models import KioskState
from kiosk_server.portal.models import PortalSession, SignInLink
from kiosk_server.prints.models import Export
from kiosk_server.reports.models import StatusCount
from kiosk_server.retention.fit import RetentionFit
from kiosk_server.retention.models import CustomerStatus, RetentionSettings, StatusChange
from kiosk_server.signup.models import SignupRequest
from kiosk_server.staff.models import AuthToken, Device, DevicePairing, StaffUser

metadata = SQLModel.metadata

__all__ = [
    "AuditEntry", "AuthToken", "Call", "CallSettings", "Campaign", "CampaignRecipient", "Card",
    "Case", "Checkin", "Complaint", "ComplaintStep", "Coupon", "Customer", "CustomerImport",
    "CustomerStatus", "Device", "DevicePairing", "Event", "EventFeed", "ExitSurvey", "Export",
    "Feedback", "FeedbackRequest", "FeedbackSettings", "Invitation", "InvitationSend",
    "InvitationSendRun", "KioskState", "LeaveAnswer", "LeavingFlag", "LoyaltyAccount",
    "OutboxImage", "OutboxMessage", "PortalSession", "Purchase", "Redemption", "RetentionFit",
    "RetentionSettings", "Reward", "Scan", "SignInLink", "SignupRequest", "StaffUser",
    "StatusChange", "StatusCount", "Visit", "metadata",
]
