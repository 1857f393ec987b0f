"""Who acts: an API key's principal, or the system itself (workers, the CLI)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SystemActor:
    """The system acting on a workspace (expiry worker, `storekeeper` commands): every scope."""

    workspace_id: str
    name: str = "storekeeper"

    def allows(self, scope: str) -> bool:
        return True

    @property
    def actor(self) -> dict[str, str]:
        return {"type": "system", "id": "system", "name": self.name}
