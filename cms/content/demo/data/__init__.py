"""The French text of the realistic demo, with English versions of a few pages."""
