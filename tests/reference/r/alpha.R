# Cronbach's alpha of the ten satisfaction items in base R (psych is not installed, nor in CI), for issue 12.
#
# Usage: Rscript tests/reference/r/alpha.R <input_dir> <output.csv>
# <input_dir>: respondents.csv from tests/reference/r/export_inputs.py.
# Output: key,value (17 significant digits); README.md lists the keys.
#
# Answers 1-5 only; don't know (9) and blank are missing. Unweighted. Scopes: the respondents who can be
# weighted (the notebook's sample: county and each district) and, for the county, every returned form.
#   complete case: C = cov of the rows with all k items; alpha = k/(k-1) (1 - tr(C)/sum(C));
#     Feldt (1965): (1 - alpha)/(1 - alpha_hat) ~ F(n-1, (n-1)(k-1)), i.e.
#     [1 - (1 - a) qf(0.975, n-1, (n-1)(k-1)), 1 - (1 - a) qf(0.025, n-1, (n-1)(k-1))]  (as psych::alpha.ci)
#   available case (pairwise): R = cor(x, use = "pairwise.complete.obs"), standardised alpha
#     k/(k-1) (1 - k/sum(R)) = k rbar / (1 + (k-1) rbar), rbar the mean off-diagonal correlation
#     (psych::alpha's std.alpha with its default use = "pairwise"); also the raw pairwise alpha from
#     C = cov(x, use = "pairwise.complete.obs"). No interval: no single n stands behind a pairwise matrix.

here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "common.R"))
args <- script_args(2, "Rscript alpha.R <input_dir> <output.csv>")
d <- read_respondents(args[1])
out <- new_values()

alpha_of <- function(prefix, rows) {
  x <- as.data.frame(lapply(ITEMS, function(q) d[[paste0(q, "_score")]][rows]), col.names = ITEMS)
  k <- ncol(x)
  put(out, paste(prefix, "k", sep = "/"), k)
  put(out, paste(prefix, "respondents", sep = "/"), nrow(x))
  put(out, paste(prefix, "any_dont_know", sep = "/"), sum(rowSums(sapply(ITEMS, function(q) d[[q]][rows] %in% 9)) > 0))
  cc <- x[complete.cases(x), , drop = FALSE]
  n <- nrow(cc)
  put(out, paste(prefix, "complete/n", sep = "/"), n)
  if (n >= 3) {
    C <- cov(cc)
    a <- k / (k - 1) * (1 - sum(diag(C)) / sum(C))
    df1 <- n - 1; df2 <- (n - 1) * (k - 1)
    put(out, paste(prefix, "complete/alpha", sep = "/"), a)
    put(out, paste(prefix, "complete/ci_low", sep = "/"), 1 - (1 - a) * qf(0.975, df1, df2))
    put(out, paste(prefix, "complete/ci_high", sep = "/"), 1 - (1 - a) * qf(0.025, df1, df2))
    R <- cor(cc)
    put(out, paste(prefix, "complete/std_alpha", sep = "/"), k / (k - 1) * (1 - k / sum(R)))
  }
  R <- cor(x, use = "pairwise.complete.obs")
  C <- cov(x, use = "pairwise.complete.obs")
  pair_n <- crossprod(!is.na(as.matrix(x)))
  put(out, paste(prefix, "pairwise/std_alpha", sep = "/"), k / (k - 1) * (1 - k / sum(R)))
  put(out, paste(prefix, "pairwise/mean_r", sep = "/"), mean(R[upper.tri(R)]))
  put(out, paste(prefix, "pairwise/raw_alpha", sep = "/"), k / (k - 1) * (1 - sum(diag(C)) / sum(C)))
  put(out, paste(prefix, "pairwise/min_pair_n", sep = "/"), min(pair_n[upper.tri(pair_n)]))
  put(out, paste(prefix, "pairwise/max_pair_n", sep = "/"), max(pair_n[upper.tri(pair_n)]))
  put(out, paste(prefix, "pairwise/any_item_n", sep = "/"), sum(rowSums(!is.na(x)) > 0))
}

weighted <- !is.na(d$weight)
alpha_of("alpha/weighted/county", weighted)
for (h in sort(unique(d$district[weighted]))) alpha_of(paste0("alpha/weighted/district=", h), weighted & d$district == h)
alpha_of("alpha/returned/county", rep(TRUE, nrow(d)))

write_values(out, args[2])
