"""The PySide6 front desk. Calls services only, through `desk.ui.worker.Background`."""
