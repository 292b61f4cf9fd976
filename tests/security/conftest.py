"""The logistics world (products, a truck, a customer, the order-flow people) for security tests."""
from tests.plugins.logistics.conftest import world  # noqa: F401
