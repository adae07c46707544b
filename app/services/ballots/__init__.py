"""Secret ballots: the mechanism, Haso-yte elections and surveys."""
