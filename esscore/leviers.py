"""Levers of a local ESS policy and kinds of collectivities: the vocabulary shared by roadmaps and the benchmark.

Plain tuples, no imports: the roadmap validation and the CLI parser (``esscore benchmark --levier``) use them
without loading pandas (see ``esscore.commands``).
"""

from __future__ import annotations

LEVIERS: tuple[str, ...] = (
    "Financement",
    "Commande publique",
    "Foncier & immobilier",
    "Accompagnement",
    "Sensibilisation & valorisation",
    "Coopération & filières",
    "Observation & évaluation",
    "Gouvernance & co-construction",
)
"""The eight levers (taxonomy close to RTES's), in display order."""

TYPES_COLLECTIVITE: tuple[str, ...] = (
    "commune",
    "epci",
    "departement",
    "region",
    "pays",
    "cress",
    "reseau",
    "autre",
)
"""Kinds of authority or network a benchmark entry describes (``collectivite.type``)."""
