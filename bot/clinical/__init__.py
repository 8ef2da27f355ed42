"""The clinical companion's domain logic (issue 20): iron labs, medicines and doses, symptom
regions and rest, the augmentation watch and onset-timed stretch reminders.

Plain Python on plain values: no discord import and no database access, so cogs and
repositories wire it in without it knowing about either. Never a diagnosis, a dose, or advice to
start, stop or change a medicine: it records, shows patterns with their numbers, and says what
is worth raising with a doctor.
"""
