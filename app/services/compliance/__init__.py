"""Compliance with the cooperation model: what each house and the company were promised a year,
where it is not kept, and the reminders."""
