"""Work queues: which open requests a person works on, filtered, sorted, searched and
paged with a bounded cost, and changed in bulk through ``frontdoor.staff.actions``."""
