"""People and teams: users (staff and customers), organizations, groups and identities."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Customer")


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str | None, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **fields)


def normalize_email(email: str | None) -> str | None:
    """Emails are compared case-insensitively: store them lower-cased and stripped."""
    if email is None:
        return None
    email = email.strip().lower()
    return email or None


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    # ``core.folding.fold(name)``, written with the name by the services: search compares it
    # with the folded query words, a plain column (no function per row).
    folded_name = models.TextField(editable=False, blank=True, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    shared_tickets = models.BooleanField(
        _("members see the organization's tickets"),
        default=False,
        help_text=_(
            "Customers whose address is verified by signing in see every ticket of the "
            "organization, not only their own."
        ),
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """An email domain whose new customers join the organization automatically."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")

    def __str__(self) -> str:
        return self.domain


class Group(models.Model):
    """A team or department; agents belong to several, tickets to one."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser):
    """Staff and customers alike; ``role`` decides what they may do.

    ``email`` is the login and may be empty for a customer known only by phone or chat handle.
    Permissions come from the role, not Django's per-model permission tables.
    """

    email = models.EmailField(_("email"), max_length=254, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # ``core.folding.fold(name)``, written with the name by the services and the store: search
    # compares it with the folded query words, a plain column (no function per row). Text, as
    # folding may lengthen a name (letters whose marks do not compose back).
    folded_name = models.TextField(editable=False, blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    # Empty: not chosen yet. The person is then served in their browser's language (or the
    # instance default) and mailed in the instance default; `atiende.core.language`.
    locale = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", _("English")), ("es", _("Spanish"))],
        default="",
        blank=True,
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Suspended users cannot sign in or use the API.")
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    # Set by an admin: this staff member must set up two-factor sign-in before using the
    # workspace (ATIENDE_STAFF_TWO_FACTOR_REQUIRED asks it of all staff).
    two_factor_required = models.BooleanField(_("two-factor sign-in required"), default=False)
    groups = models.ManyToManyField(
        Group, verbose_name=_("groups"), blank=True, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text=_("A duplicate customer record folded into another one."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            models.Index(fields=["role", "name"]),
            models.Index(Lower("name"), name="accounts_user_name_lower"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email or f"#{self.pk}"

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ")[0]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_agent(self) -> bool:
        """Staff who work tickets: agents and administrators."""
        return self.role in (Role.ADMIN, Role.AGENT)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    # Django admin and auth expect these; they follow from the role.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class IdentityChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X (Twitter)")
    CHAT = "chat", _("Web chat")
    ALERT = "alert", _("Monitoring system")  # the monitor an alert account speaks for


class Identity(models.Model):
    """One address of a customer on one channel: how we recognise them wherever they write."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identities")
    channel = models.CharField(_("channel"), max_length=16, choices=IdentityChannel.choices)
    value = models.CharField(_("address"), max_length=254)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(fields=["channel", "value"], name="identity_unique_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.value}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AgentStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentAvailability(models.Model):
    """What assignment needs to know about an agent: the status they chose, when they were last
    active (an "online" agent idle for a while counts as away), what they cover and how much.

    One row per agent, created the first time the agent is seen or changes a setting; an agent
    without a row has never been seen and so is not available.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="availability"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=AgentStatus.choices, default=AgentStatus.ONLINE
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, help_text=_("Language codes, e.g. es.")
    )
    skill_tags = models.JSONField(_("tags covered"), default=list, blank=True)
    skill_categories = models.JSONField(_("categories covered"), default=list, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("The most open tickets assigned at once; empty: no limit."),
    )
    # Counted apart from ``capacity``: chats (channel "chat") against this, other tickets
    # against that, so an agent can hold several live chats besides their ticket queue.
    chat_capacity = models.PositiveIntegerField(
        _("chat capacity"),
        null=True,
        blank=True,
        help_text=_("The most open chats assigned at once; empty: no limit."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agent availability")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"


class OutOfOffice(models.Model):
    """A period an agent is away (holidays, leave): no new tickets, open ones handed over.

    ``handed_over_at`` and ``returned_at`` record that the scheduler dealt with the start and
    the end; the partial indexes let it read only the periods still waiting for either.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="out_of_office")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    handed_over_at = models.DateTimeField(_("tickets handed over"), null=True, blank=True)
    returned_at = models.DateTimeField(_("return handled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("out-of-office period")
        verbose_name_plural = _("out-of-office periods")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["user", "starts_at", "ends_at"], name="ooo_user_period"),
            models.Index(
                fields=["starts_at"],
                condition=models.Q(handed_over_at__isnull=True),
                name="ooo_to_hand_over",
            ),
            models.Index(
                fields=["ends_at"],
                condition=models.Q(returned_at__isnull=True),
                name="ooo_to_return",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="ooo_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d}"
