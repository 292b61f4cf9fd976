"""The tiering plugin's own gettext domain: its words never change core's."""
from core.api import Domain

domain = Domain("tiering")
_ = domain.gettext
_l = domain.lazy_gettext
N_ = domain.mark
