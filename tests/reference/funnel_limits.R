# Reference values for analysis.stats.funnel: exact binomial funnel limits with Spiegelhalter's (2005)
# interpolation, computed with R's own qbinom/pbinom.  Run: Rscript tests/reference/funnel_limits.R
# Output: tests/reference/funnel_limits.csv (committed; the tests need no R).
limit <- function(n, p0, prob) {
  r <- qbinom(prob, n, p0)
  f_r <- pbinom(r, n, p0)
  f_below <- pbinom(r - 1, n, p0)
  alpha <- if (f_r > f_below) (f_r - prob) / (f_r - f_below) else 0
  min(max((r - alpha) / n, 0), 1)
}
cases <- expand.grid(n = c(5, 12, 30, 75, 300), p0 = c(0.05, 0.32, 0.5, 0.9, 0.98))
probs <- c(lower_99.8 = 0.001, lower_95 = 0.025, upper_95 = 0.975, upper_99.8 = 0.999)
for (name in names(probs)) {
  cases[[name]] <- mapply(function(n, p) limit(n, p, probs[[name]]), cases$n, cases$p0)
}
# Exact two-sided binomial test p-values (as used for the Holm flags).
cases$k <- round(cases$n * 0.6)
cases$binom_p <- mapply(function(k, n, p) binom.test(k, n, p)$p.value, cases$k, cases$n, cases$p0)
write.csv(cases, "funnel_limits.csv", row.names = FALSE)
cat(R.version.string, "\n")
