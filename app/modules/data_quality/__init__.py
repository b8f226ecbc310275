"""S6 data quality: completeness, anomaly and duplicate rates of the register, with the offending records."""
