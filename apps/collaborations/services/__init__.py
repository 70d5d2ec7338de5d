"""Everything that changes collaborations' rows: influencer profiles (profiles), offers and open
calls (offers), a collaboration's steps, thread and payment (collaboration), the ledger (ledger)."""

from .collaboration import *  # noqa: F403
from .ledger import *  # noqa: F403
from .offers import *  # noqa: F403
from .profiles import *  # noqa: F403
