"""Use cases: one plain function per user action, each one transaction, no Discord import.

A cog parses what Discord sent, checks what only Discord knows (permissions, channel types), calls
one of these, and words the reply. What the action reads and writes happens here, inside a single
transaction (``engine.reminders.atomic()``: repositories' reads and writes in the same task join
it), so a failure halfway leaves nothing half done. tests/test_architecture.py keeps this package
free of discord and keeps the cogs from doing these actions on storage themselves.
"""

from bot.usecases.actions import (
    NEEDS_TIMEZONE,
    NO_REMINDER_CHANNEL,
    Context,
    StretchReminded,
    change_zone,
    configure_daily_tip,
    delete_my_data,
    save_night,
    save_night_as_asked,
    set_stretch_reminder,
    sleep_report,
    watch_for,
)
from bot.usecases.meds import (
    RETEST_KIND,
    AskWhenTaken,
    DoseAnswer,
    LabSaved,
    MedicineAdded,
    MedicineOverview,
    add_medicine,
    answer_medicine_reminder,
    doses_noted_for,
    log_typed_dose,
    medicines_overview,
    pending_retest,
    save_lab,
    stop_medicine,
)
from bot.usecases.server_settings import (
    REMINDER_CHANNEL_MOVED_NOTICE,
    REMINDER_CHANNEL_OFF_NOTICE,
    ReminderChannelChange,
    ServerForgotten,
    forget_deleted_channel,
    leave_server,
    reset_server_settings,
    set_reminder_channel,
    set_server_timezone,
    turn_off_daily_tip,
)

__all__ = [
    "NEEDS_TIMEZONE",
    "NO_REMINDER_CHANNEL",
    "REMINDER_CHANNEL_MOVED_NOTICE",
    "REMINDER_CHANNEL_OFF_NOTICE",
    "RETEST_KIND",
    "AskWhenTaken",
    "Context",
    "DoseAnswer",
    "LabSaved",
    "MedicineAdded",
    "MedicineOverview",
    "ReminderChannelChange",
    "ServerForgotten",
    "StretchReminded",
    "add_medicine",
    "answer_medicine_reminder",
    "change_zone",
    "configure_daily_tip",
    "delete_my_data",
    "doses_noted_for",
    "forget_deleted_channel",
    "leave_server",
    "log_typed_dose",
    "medicines_overview",
    "pending_retest",
    "reset_server_settings",
    "save_lab",
    "save_night",
    "save_night_as_asked",
    "set_reminder_channel",
    "set_server_timezone",
    "set_stretch_reminder",
    "sleep_report",
    "stop_medicine",
    "turn_off_daily_tip",
    "watch_for",
]
