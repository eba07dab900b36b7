"""Patients (DESIGN §3). The shared file, declarations and requests build on this."""

from datetime import date

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from umpro.db import Base, PracticeOwned, Timestamped


class Patient(PracticeOwned, Timestamped, Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100))
    birth_name: Mapped[str] = mapped_column(String(100), default="")
    given_names: Mapped[str] = mapped_column(String(150))
    birth_date: Mapped[date] = mapped_column(Date)
    #: "F", "M" or "I" (indéterminé)
    sex: Mapped[str] = mapped_column(String(1))
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    has_chronic_condition: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()} {self.given_names}"

    @property
    def initials(self) -> str:
        """``M. D.`` — given name then family name initials, for calendar feeds."""
        return f"{self.given_names[:1].upper()}. {self.family_name[:1].upper()}."
