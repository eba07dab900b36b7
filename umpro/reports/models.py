"""Patient-list growth (docs/domain.md §3, issue 13): daily snapshots per GP and GPs' targets."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from umpro.db import Base, PracticeOwned, Timestamped, UTCDateTime
from umpro.team.models import Staff


class PatientListSnapshot(PracticeOwned, Base):
    """A GP's figures for one day, recomputable from history (``services.snapshots``).

    Stocks (``patient_list`` … ``ald``) are counted at the end of ``day``; flows
    (``started``, ``ended``) are the declarations that started or ended on ``day``.
    """

    __tablename__ = "patient_list_snapshot"
    __table_args__ = (UniqueConstraint("gp_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gp_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    day: Mapped[date] = mapped_column(Date)
    patient_list: Mapped[int] = mapped_column(Integer, default=0)
    adults: Mapped[int] = mapped_column(Integer, default=0)
    children: Mapped[int] = mapped_column(Integer, default=0)
    file_active: Mapped[int] = mapped_column(Integer, default=0)
    ald: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[int] = mapped_column(Integer, default=0)
    ended: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PatientListTarget(PracticeOwned, Timestamped, Base):
    """A GP's commitment to grow their patient list (contrat d'assistant médical): from
    ``baseline_value`` on ``baseline_on`` to ``target_value`` by ``deadline_on``."""

    __tablename__ = "patient_list_target"
    __table_args__ = (
        CheckConstraint("deadline_on > baseline_on", name="period"),
        CheckConstraint("baseline_value >= 0 AND target_value > baseline_value", name="values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gp_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    baseline_on: Mapped[date] = mapped_column(Date)
    baseline_value: Mapped[int] = mapped_column(Integer)
    #: The commitment as the GP stated it: a percentage (NULL when given as a count).
    target_percent: Mapped[float | None] = mapped_column(Numeric(5, 1))
    target_value: Mapped[int] = mapped_column(Integer)
    deadline_on: Mapped[date] = mapped_column(Date)
    with_assistant: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    gp: Mapped[Staff] = relationship(foreign_keys=[gp_id])
