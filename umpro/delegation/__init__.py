"""Delegation (docs/domain.md §3): cooperation protocols, memberships, consents, care tasks
handed off by a GP to a delegate, their results, the GP's inbox and the ARS indicators."""
