// Token inspection (being written).
