"""Asukasportaali: a resident-participation portal for right-of-occupancy housing."""
