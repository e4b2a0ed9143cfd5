# Reference values for tests/test_opinions.py: Kaplan-Meier medians (survival), log-rank
# (survdiff), Cohen's kappa (psych::cohen.kappa), Goodman (1965) intervals, Wilson (prop.test).
#
# Usage: Rscript tests/reference/survey_opinions_reference.R <input_dir> <output.csv>
# <input_dir> holds status.csv (opinion_id, days, rectified, category) and coding.csv
# (first, second), written by tests/reference/survey_opinions_inputs.py.
# Debian packages: r-base-core r-cran-survival r-cran-psych (R 4.2.2, survival 3.5-3, psych 2.2.9).
suppressMessages({library(survival); library(psych)})
args <- commandArgs(TRUE)
st <- read.csv(file.path(args[1], "status.csv"), stringsAsFactors = FALSE)
cod <- read.csv(file.path(args[1], "coding.csv"), stringsAsFactors = FALSE)
st$event <- as.integer(st$rectified %in% c("True", "TRUE", "1"))
keys <- character(0); vals <- numeric(0)
put <- function(key, value) { keys <<- c(keys, key); vals <<- c(vals, as.numeric(value)) }

q <- function(fit) quantile(fit, probs = 0.5)   # median and its log-interval limits
f <- survfit(Surv(days, event) ~ 1, data = st)   # conf.type = "log" (default)
m <- q(f); put("km/all/median", m$quantile); put("km/all/ci_low", m$lower); put("km/all/ci_high", m$upper)
for (cat in sort(unique(st$category))) {
  fc <- survfit(Surv(days, event) ~ 1, data = st[st$category == cat, ])
  m <- q(fc)
  put(paste("km", cat, "median", sep = "/"), m$quantile)
  put(paste("km", cat, "ci_low", sep = "/"), m$lower)
  put(paste("km", cat, "ci_high", sep = "/"), m$upper)
}
put("logrank/chisq", survdiff(Surv(days, event) ~ category, data = st)$chisq)

# Rectified share: Wilson score interval without continuity correction.
pt <- prop.test(sum(st$event), nrow(st), correct = FALSE)$conf.int
put("rectified/ci_low", pt[1]); put("rectified/ci_high", pt[2])

# Goodman (1965) simultaneous intervals: A = chi-square(1) quantile at 1 - alpha/k,
# p_i = (A + 2 n_i -/+ sqrt(A (A + 4 n_i (N - n_i) / N))) / (2 (N + A)).
cats <- c("law_enforcement", "security_management", "service_economy", "team_building")
n <- sapply(cats, function(c) sum(st$category == c)); N <- sum(n); A <- qchisq(1 - 0.05 / length(n), 1)
half <- sqrt(A * (A + 4 * n * (N - n) / N))
for (i in seq_along(cats)) {
  put(paste("goodman", cats[i], "ci_low", sep = "/"), (A + 2 * n[i] - half[i]) / (2 * (N + A)))
  put(paste("goodman", cats[i], "ci_high", sep = "/"), (A + 2 * n[i] + half[i]) / (2 * (N + A)))
}

# Cohen's kappa on the double-coded suggestions (all four categories as levels).
tab <- table(factor(cod$first, levels = cats), factor(cod$second, levels = cats))
k <- cohen.kappa(unclass(tab))
put("kappa/kappa", k$kappa); put("kappa/ci_low", k$confid[1, 1]); put("kappa/ci_high", k$confid[1, 3])

write.csv(data.frame(key = keys, value = format(vals, digits = 17, trim = TRUE)), args[2], row.names = FALSE, quote = TRUE)
