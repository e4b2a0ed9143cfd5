"""Statistical methods with no subject knowledge: intervals, weighting, design-based estimation,
agreement, survival, control charts, funnel limits and the one disclosure gate."""
