"""User, role and region tables."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.auth.roles import role_label
from core.db import db, utcnow

user_roles = Table(
    "user_roles",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Region(db.Model):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # the regional manager (区域经理); see core.org.regional_manager
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True))


class Role(db.Model):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)

    @property
    def label(self) -> str:
        return role_label(self.code)


class RolePermission(db.Model):
    __tablename__ = "role_permissions"
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(100), primary_key=True)


class KnownPermission(db.Model):
    """Permissions already offered once, so default grants are applied only to new ones."""

    __tablename__ = "permissions"
    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LoginThrottle(db.Model):
    """Login attempts counted under one key (an account name's hash, a client address or a known
    browser) until ``reset_at``; see ``core.auth.throttle``."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reset_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    # the organisation (core.org): a department and, optionally, a manager to report to
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # part of the id kept in the session: raising it ends every session of the user (see get_id)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    region: Mapped[Region | None] = relationship(lazy="joined", foreign_keys=[region_id])
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin")

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The session stores "id:version", so a session made before the version was raised (logout,
        new password) no longer loads its user, even from a copied cookie."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_codes(self) -> set[str]:
        return {role.code for role in self.roles}

    @property
    def permissions(self) -> frozenset[str]:
        cached = self.__dict__.get("_permissions")
        if cached is None:
            role_ids = [role.id for role in self.roles]
            rows = db.session.scalars(
                db.select(RolePermission.permission).where(RolePermission.role_id.in_(role_ids))
            ) if role_ids else []
            cached = self.__dict__["_permissions"] = frozenset(rows)
        return cached

    def can(self, permission: str) -> bool:
        return permission in self.permissions
