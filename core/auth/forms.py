from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from core.auth.passwords import password_problems
from core.auth.service import canonical_username
from core.forms import choices


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=choices([("zh_CN", "中文"), ("en", "English")]))


class UserForm(FlaskForm):
    username = StringField(_l("User name"), filters=[lambda value: value.strip() if value else value],
                           validators=[
        DataRequired(), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    region_id = SelectField(_l("Region"), coerce=int, validators=[Optional()])
    roles = SelectMultipleField(_l("Roles"))
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    confirm = PasswordField(_l("Repeat password"), validators=[
        EqualTo("password", message=_l("The two passwords differ."))])

    def validate_password(self, field: PasswordField) -> None:
        problems = password_problems(field.data, canonical_username(self.username.data or ""))
        if problems:
            raise ValidationError(" ".join(problems))
