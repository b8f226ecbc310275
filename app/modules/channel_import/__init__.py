"""Import of the channels that already exist on the national platform (存量渠道导入, issue 16)."""
