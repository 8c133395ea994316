"""What every section builder needs: the clock, the reference tables, and a place for data notes."""

from __future__ import annotations

from dataclasses import dataclass, field

# datetime and Reference are imported at run time, not only for type checking: mypyc compiles
# this module (tenderlens.compiled), and a compiled dataclass needs its fields' types.
from datetime import datetime  # noqa: TC003

from tenderlens.notice.model import Money, When
from tenderlens.notice.safe import number, obj, text
from tenderlens.notice.when import make_when
from tenderlens.notice.words import amount_text
from tenderlens.reference import Reference  # noqa: TC001


@dataclass(slots=True)
class Context:
    now: datetime
    reference: Reference
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def when(self, value: object, where: str) -> When | None:
        """The date at ``where``; a note if something is there that is not a date."""
        if value is None:
            return None
        found = make_when(value, self.now)
        if found is None:
            self.note(f"{where} is not a date: {str(value)[:40]!r}")
        return found

    def money(self, value: object, where: str) -> Money | None:
        """A Value object (``amount``, ``amountGross``, ``currency``) as :class:`Money`."""
        data = obj(value)
        amount = number(data.get("amount"))
        gross = number(data.get("amountGross"))
        currency = text(data.get("currency"))
        if amount is None and gross is None:
            if data.get("amount") is not None:
                self.note(f"{where} amount is not a number")
            return None
        if amount is not None and amount < 0:
            self.note(f"{where} is negative")
        if amount is not None and gross is not None and gross < amount:
            self.note(f"{where}: the amount including VAT is less than the amount excluding it")
        if currency is None:
            self.note(f"{where} has no currency")
        return Money(
            amount=amount,
            amount_gross=gross,
            currency=currency,
            minimum=None,
            text=money_text(amount, gross, currency),
        )


def money_text(amount: float | None, gross: float | None, currency: str | None) -> str:
    """``£2,500,000 (£3,000,000 incl. VAT)``, or one of the two."""
    if amount is not None and gross is not None and gross != amount:
        return f"{amount_text(amount, currency)} excl. VAT ({amount_text(gross, currency)} incl. VAT)"
    if amount is not None:
        return amount_text(amount, currency)
    if gross is not None:
        return f"{amount_text(gross, currency)} incl. VAT"
    return ""
