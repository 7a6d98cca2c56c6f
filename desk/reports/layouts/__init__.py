"""One module per report: turns a service's frozen result into a `ReportDocument`."""
