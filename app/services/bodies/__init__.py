"""The bodies of resident cooperation: houses, residents, meetings, committees, Haso-yte, roles."""
