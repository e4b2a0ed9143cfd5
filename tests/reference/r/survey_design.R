# Design-based satisfaction estimates for issue 12, on three designs, with R's survey package (4.1-1).
#
# Usage: Rscript tests/reference/r/survey_design.R <input_dir> <output.csv>
# <input_dir>: respondents.csv, population.csv, params.csv from tests/reference/r/export_inputs.py.
# Output: key,value (17 significant digits). Keys: <design>/<scope>/<item>[/<by>=<level>]/<field>, plus
# weights/..., wald/..., vs_county/..., gap/..., sensitivity/... (README.md lists them).
#
# Designs (respondents who can be weighted, i.e. with district, age band and sex known):
#   psu    svydesign(ids = ~batch_id, weights = ~weight)                    the project today (fixed weights)
#   strat  svydesign(ids = ~batch_id, strata = ~district, weights = ~weight)  strata, weights still fixed
#   raked  the stratified design with base weight N/n for everyone (the project's starting point: equal
#          weights) calibrated to the three two-way margins, calfun = "raking", bounds = the project's trimming
#          bounds: R's calibrate() object, raking credited in the variance, carrying the project's final
#          weights (weights/* checks that they are R's bounded-raking solution; see the weights section).
# Domains are subsets of the design (des[keep, ]): the respondents of the domain, whatever they answered;
# svymean(na.rm = TRUE) then drops the don't-know/blank answers, and degf() is the domain subset's.

#
# The live check (tests/reference/test_r_live.py) runs it with R_CHECK_FAST=1: the raked design only, intervals in
# closed form only (no svyglm per domain), no sensitivity section: the same values for the keys it writes, in
# seconds rather than a minute and a half.

here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "common.R"))
args <- script_args(2, "Rscript survey_design.R <input_dir> <output.csv>")
FAST <- identical(Sys.getenv("R_CHECK_FAST"), "1")
params <- read_params(args[1])
pop <- read_csv_input(args[1], "population.csv")
d <- read_respondents(args[1])
d <- d[!is.na(d$weight), ]   # the forms that cannot be weighted (age band or sex blank) are outside every design
out <- new_values()

N <- sum(pop$population)
n <- nrow(d)
d$base <- N / n            # equal starting weights, scaled to the population so grake does not rescale them

# --- the raked design: R's calibrate() from the project's starting weights ----------------------------------
margin_cols <- lapply(strsplit(strsplit(params$margins, ";")[[1]], ":"), identity)
cal_formula <- as.formula(paste("~", paste(sapply(margin_cols, paste, collapse = "*"), collapse = " + ")))
pop_totals <- colSums(model.matrix(cal_formula, model.frame(cal_formula, pop)) * pop$population)
bounds <- if (!is.na(params$trim_lower) && nzchar(params$trim_lower)) as.numeric(c(params$trim_lower, params$trim_upper)) else c(-Inf, Inf)

base_design <- svydesign(ids = ~batch_id, strata = ~district, weights = ~base, data = d)
mm <- model.matrix(cal_formula, model.frame(cal_formula, d))
g_project <- d$weight / d$base
put(out, "weights/n", n)
put(out, "weights/population", N)
put(out, "weights/max_rel_margin_error_project", max(abs(colSums(mm * d$weight) - pop_totals) / pop_totals))
put(out, "weights/min_g_project", min(g_project))
put(out, "weights/max_g_project", max(g_project))
put(out, "weights/kish_deff", n * sum(d$weight^2) / sum(d$weight)^2)

# (1) R's own bounded raking from the project's starting point. grake's Newton steps can stall when many
# weights sit on a bound (the mini fixture): then there is no R solution from this route.
r_cal <- tryCatch(
  calibrate(base_design, cal_formula, pop_totals, calfun = "raking", bounds = bounds, maxit = 2000, epsilon = 1e-12),
  error = function(e) NULL, warning = function(w) NULL)
put(out, "weights/r_calibrate_converged", !is.null(r_cal))
put(out, "weights/max_rel_diff_r_calibrate_vs_project", if (is.null(r_cal)) NA else max(abs(weights(r_cal) / d$weight - 1)))

# (2) The bounded-raking solution is unique (a strictly convex problem) and has the form g = clip(exp(x'eta), L, U).
# Take the units the project holds at (or within 1e-4 of) a bound as the active set, calibrate the others with
# R's unbounded raking to the totals the bound units leave, and check the result is consistent: interior g
# inside the bounds, and x'eta beyond the bound for every unit held there. This is R's exact solution whenever
# the project's active set is right, however the project's capped IPF got there.
near <- function(b) if (is.finite(b)) abs(g_project / b - 1) < 1e-4 else rep(FALSE, n)
at_low <- near(bounds[1]); at_high <- near(bounds[2])
held <- at_low | at_high
eta_ok <- NA
if (!any(held)) {
  # nothing at a bound: the solution is plain raking
  g_kkt <- weights(calibrate(base_design, cal_formula, pop_totals, calfun = "raking", maxit = 2000,
                             epsilon = 1e-12)) / d$base
  eta_ok <- all(g_kkt >= bounds[1] & g_kkt <= bounds[2])
} else {
  g_kkt <- g_project
  g_fixed <- ifelse(at_low, bounds[1], bounds[2])
  free_totals <- pop_totals - colSums(mm[held, , drop = FALSE] * (d$base * g_fixed)[held])
  free <- svydesign(ids = ~batch_id, strata = ~district, weights = ~base, data = d[!held, ])
  fc <- tryCatch(calibrate(free, cal_formula, free_totals, calfun = "raking", maxit = 2000, epsilon = 1e-13),
                 error = function(e) NULL)
  if (!is.null(fc)) {
    g_kkt[!held] <- weights(fc) / d$base[!held]
    g_kkt[held] <- g_fixed[held]
    eta <- attr(fc$postStrata[[1]]$w, "eta")
    if (length(eta) == ncol(mm)) {   # a margin cell wholly at a bound drops a column: then no verdict (NA)
      lin <- drop(mm %*% eta)
      eta_ok <- all(g_kkt[!held] >= bounds[1] & g_kkt[!held] <= bounds[2]) &&
        all(lin[at_low] <= log(bounds[1]) + 1e-9) && all(lin[at_high] >= log(bounds[2]) - 1e-9)
    }
  } else {
    g_kkt[] <- NA
  }
}
put(out, "weights/at_lower_bound", sum(at_low))
put(out, "weights/at_upper_bound", sum(at_high))
put(out, "weights/kkt_consistent", eta_ok)
put(out, "weights/max_rel_diff_kkt_vs_project", max(abs(g_kkt / g_project - 1)))

# (3) The raked design the estimates use: R's calibrate() object carrying the project's final weights.
# calibrate() returns prob = 1/(d g) and, for the variance, the QR of the base-weighted model matrix and
# w = g sqrt(d); only g depends on the solution, so the object is built from an unbounded calibrate() and
# given the project's g. The estimates then test the variance (raking credited), given the weights;
# (1) and (2) test the weights.
raked <- calibrate(base_design, cal_formula, pop_totals, calfun = "raking", maxit = 2000, epsilon = 1e-12)
raked$prob <- 1 / d$weight
raked$postStrata[[length(raked$postStrata)]]$w <- g_project * sqrt(d$base)

designs <- if (FAST) list(raked = raked) else list(
  psu = svydesign(ids = ~batch_id, weights = ~weight, data = d),
  strat = svydesign(ids = ~batch_id, strata = ~district, weights = ~weight, data = d),
  raked = raked
)
for (nm in names(designs)) put(out, paste(nm, "degf", sep = "/"), degf(designs[[nm]]))

# glm's note on the zero-weight rows a calibrated subset keeps (they are meant to be there); others pass.
quiet_zero_weights <- function(expr) withCallingHandlers(expr, warning = function(w) {
  if (grepl("observations with zero weight", conditionMessage(w))) invokeRestart("muffleWarning")
})

# --- estimates -------------------------------------------------------------------------------------------
estimate <- function(des, prefix, keep, q) {
  tb <- paste0(q, "_tb"); sc <- paste0(q, "_score")
  if (!any(keep)) return(invisible())
  s <- des[keep, ]                                   # the domain: its respondents, whatever they answered
  valid <- keep & !is.na(d[[tb]])
  put(out, paste(prefix, "n_domain", sep = "/"), sum(keep))
  put(out, paste(prefix, "n", sep = "/"), sum(valid))
  put(out, paste(prefix, "df", sep = "/"), degf(s))
  put(out, paste(prefix, "df_valid", sep = "/"), if (any(valid)) degf(des[valid, ]) else NA)
  if (!any(valid)) return(invisible())
  m <- svymean(as.formula(paste0("~", tb)), s, na.rm = TRUE, deff = TRUE)
  put(out, paste(prefix, "estimate", sep = "/"), coef(m)[[1]])
  put(out, paste(prefix, "se", sep = "/"), SE(m)[[1]])
  put(out, paste(prefix, "deff", sep = "/"), deff(m)[[1]])
  put(out, paste(prefix, "deff_replace", sep = "/"),
      deff(svymean(as.formula(paste0("~", tb)), s, na.rm = TRUE, deff = "replace"))[[1]])
  p <- coef(m)[[1]]
  if (p > 0 && p < 1 && degf(s) > 0) {
    # na.rm reaches the svymean inside svyciprop (its variance): without it a calibrated design fails on the
    # NA answers in qr.resid; the interval itself is svyglm's, on df = degf(s).
    if (!FAST) {
      ci <- attr(quiet_zero_weights(svyciprop(as.formula(paste0("~", tb)), s, method = "logit", na.rm = TRUE)), "ci")
      put(out, paste(prefix, "ci_low", sep = "/"), ci[[1]])
      put(out, paste(prefix, "ci_high", sep = "/"), ci[[2]])
    }
    # The same logit Wald interval in closed form from svymean: svyciprop's point and SE come from svyglm's
    # IRLS (converged to glm's epsilon = 1e-8 on the deviance, a few 1e-9 on the interval), and at df = 1
    # confint.svyglm's t-to-normal level conversion rounds to 1 and returns (0, NaN). Compare with these.
    eta <- qlogis(p) + c(-1, 1) * qt(0.975, degf(s)) * SE(m)[[1]] / (p * (1 - p))
    put(out, paste(prefix, "ci_low_closed", sep = "/"), plogis(eta[1]))
    put(out, paste(prefix, "ci_high_closed", sep = "/"), plogis(eta[2]))
  } else {
    for (f in c(if (!FAST) c("ci_low", "ci_high"), "ci_low_closed", "ci_high_closed")) put(out, paste(prefix, f, sep = "/"), NA)
  }
  ms <- svymean(as.formula(paste0("~", sc)), s, na.rm = TRUE, deff = TRUE)
  cm <- if (degf(s) > 0) confint(ms, df = degf(s)) else matrix(NA, 1, 2)   # one batch: no interval
  put(out, paste(prefix, "mean", sep = "/"), coef(ms)[[1]])
  put(out, paste(prefix, "mean_se", sep = "/"), SE(ms)[[1]])
  put(out, paste(prefix, "mean_low", sep = "/"), cm[1, 1])
  put(out, paste(prefix, "mean_high", sep = "/"), cm[1, 2])
  put(out, paste(prefix, "mean_deff", sep = "/"), deff(ms)[[1]])
}

wald <- function(des, prefix, keep, v) {
  use <- keep & !is.na(d$q10_overall_tb) & !is.na(d[[v]])
  lev <- unique(d[[v]][use])
  if (length(lev) < 2) return(invisible())
  share <- tapply(d$q10_overall_tb[use] * d$weight[use], d[[v]][use], sum) / tapply(d$weight[use], d[[v]][use], sum)
  if (any(share <= 0 | share >= 1)) return(invisible())
  s <- des[use, ]
  fit <- quiet_zero_weights(svyglm(as.formula(paste("q10_overall_tb ~", v)), s, family = quasibinomial))
  tt <- regTermTest(fit, as.formula(paste("~", v)))
  put(out, paste(prefix, v, "F", sep = "/"), tt$Ftest)
  put(out, paste(prefix, v, "df1", sep = "/"), tt$df)
  put(out, paste(prefix, v, "df2", sep = "/"), tt$ddf)
  put(out, paste(prefix, v, "p", sep = "/"), tt$p)
}

groups <- c("district", "channel", "age_band", "police_contact")
districts <- sort(unique(d$district))
scopes <- c(list(county = rep(TRUE, n)), setNames(lapply(districts, function(x) d$district == x), paste0("district=", districts)))
for (nm in names(designs)) {
  des <- designs[[nm]]
  for (sc in names(scopes)) {
    keep <- scopes[[sc]]
    # every item for the primary design; the sensitivity designs only for the overall item
    for (q in if (nm == "raked") ITEMS else OVERALL) estimate(des, paste(nm, sc, q, sep = "/"), keep, q)
    for (v in groups) {
      if (v == "district" && sc != "county") next
      for (lvl in sort(unique(na.omit(d[[v]][keep])))) {
        k <- keep & !is.na(d[[v]]) & d[[v]] == lvl
        estimate(des, paste(nm, sc, OVERALL, paste0(v, "=", lvl), sep = "/"), k, OVERALL)
      }
      if (!FAST) wald(des, paste("wald", nm, sc, sep = "/"), keep, v)
    }
  }
}

# --- every district against the county (raked design), Bonferroni t intervals on the design's df -----------
# p_h - p with p = sum_h T_h / sum_h V_h (T_h: weighted satisfied, V_h: weighted valid answers in district h):
# the joint covariance of the 2k totals under the calibrated design, then the delta method (svycontrast).
k <- length(districts)
ok <- !is.na(d$q10_overall_tb)
for (j in seq_len(k)) {
  d[[paste0("t", j)]] <- ifelse(ok & d$district == districts[j], d$q10_overall_tb, 0)
  d[[paste0("v", j)]] <- as.numeric(ok & d$district == districts[j])
}
raked$variables <- d        # the same rows, with the contrast columns added
tot <- svytotal(as.formula(paste("~", paste(c(paste0("t", 1:k), paste0("v", 1:k)), collapse = "+"))), raked)
county_expr <- paste0("(", paste0("t", 1:k, collapse = "+"), ")/(", paste0("v", 1:k, collapse = "+"), ")")
contrasts <- setNames(lapply(1:k, function(j) parse(text = paste0("t", j, "/v", j, " - ", county_expr))[[1]]), districts)
con <- svycontrast(tot, contrasts)
df_design <- degf(raked)
level <- 0.05
q_bonf <- qt(1 - level / (2 * k), df_design)
est <- coef(con); se <- SE(con)
p_raw <- 2 * pt(-abs(est / se), df_design)
p_holm <- p.adjust(p_raw, "holm")
# Satterthwaite df of each contrast from the stratum contributions of its (calibrated) linearised values.
cal <- raked$postStrata[[length(raked$postStrata)]]
infl <- sweep(as.matrix(d[c(paste0("t", 1:k), paste0("v", 1:k))]), 1, weights(raked), "*")
for (j in seq_len(k)) {
  h <- districts[j]
  Tj <- coef(tot)[paste0("t", j)]; Vj <- coef(tot)[paste0("v", j)]
  Ta <- sum(coef(tot)[paste0("t", 1:k)]); Va <- sum(coef(tot)[paste0("v", 1:k)])
  grad <- setNames(numeric(2 * k), c(paste0("t", 1:k), paste0("v", 1:k)))
  grad[paste0("t", 1:k)] <- -1 / Va
  grad[paste0("v", 1:k)] <- Ta / Va^2
  grad[paste0("t", j)] <- grad[paste0("t", j)] + 1 / Vj
  grad[paste0("v", j)] <- grad[paste0("v", j)] - Tj / Vj^2
  z <- drop(infl %*% grad)
  z <- drop(qr.resid(cal$qr, z / cal$w) * cal$w)          # the calibration residual, as svyrecvar takes it
  vh <- sapply(districts, function(s) {
    tz <- rowsum(z[d$district == s], d$batch_id[d$district == s])
    m <- nrow(tz)
    m / (m - 1) * sum((tz - mean(tz))^2)
  })
  mh <- sapply(districts, function(s) length(unique(d$batch_id[d$district == s])))
  prefix <- paste("vs_county", h, sep = "/")
  put(out, paste(prefix, "estimate", sep = "/"), est[[j]])
  put(out, paste(prefix, "se", sep = "/"), se[[j]])
  put(out, paste(prefix, "se_by_strata", sep = "/"), sqrt(sum(vh)))
  put(out, paste(prefix, "df", sep = "/"), df_design)
  put(out, paste(prefix, "df_satterthwaite", sep = "/"), sum(vh)^2 / sum(vh^2 / (mh - 1)))
  put(out, paste(prefix, "ci_low", sep = "/"), est[[j]] - q_bonf * se[[j]])
  put(out, paste(prefix, "ci_high", sep = "/"), est[[j]] + q_bonf * se[[j]])
  put(out, paste(prefix, "ci95_low", sep = "/"), est[[j]] - qt(1 - level / 2, df_design) * se[[j]])
  put(out, paste(prefix, "ci95_high", sep = "/"), est[[j]] + qt(1 - level / 2, df_design) * se[[j]])
  # Sensitivity: Bonferroni t on the district's own df (degf of its subset, as its own interval uses).
  df_h <- degf(raked[d$district == h, ])
  put(out, paste(prefix, "df_domain", sep = "/"), df_h)
  put(out, paste(prefix, "ci_domain_low", sep = "/"), est[[j]] - qt(1 - level / (2 * k), df_h) * se[[j]])
  put(out, paste(prefix, "ci_domain_high", sep = "/"), est[[j]] + qt(1 - level / (2 * k), df_h) * se[[j]])
  put(out, paste(prefix, "p", sep = "/"), p_raw[[j]])
  put(out, paste(prefix, "p_holm", sep = "/"), p_holm[[j]])
}
put(out, "vs_county/comparisons", k)
put(out, "vs_county/t_bonferroni", q_bonf)

if (FAST) {
  write_values(out, args[2])
  quit(save = "no")
}

# --- the summary's gap as printed today (largest minus smallest district, psu design) ---------------------
by_d <- svyby(~q10_overall_tb, ~district, designs$psu, svymean, na.rm = TRUE)
hi <- which.max(coef(by_d)); lo <- which.min(coef(by_d))
gap <- coef(by_d)[[hi]] - coef(by_d)[[lo]]
gse <- sqrt(SE(by_d)[[hi]]^2 + SE(by_d)[[lo]]^2)
df_lo <- degf(designs$psu[d$district == names(coef(by_d))[lo] & !is.na(d$q10_overall_tb), ])
put(out, "gap/psu/estimate", gap)
put(out, "gap/psu/se", gse)
put(out, "gap/psu/normal_low", gap - qnorm(0.975) * gse)
put(out, "gap/psu/normal_high", gap + qnorm(0.975) * gse)
put(out, "gap/psu/df_smallest_district", df_lo)
put(out, "gap/psu/t_low", gap - qt(0.975, df_lo) * gse)
put(out, "gap/psu/t_high", gap + qt(0.975, df_lo) * gse)

# --- sensitivity: raking credited by rake() (iterated post-stratification) instead of calibrate() -----------
# rake() on the design whose weights are already the final ones: the weights do not move, and svyrecvar
# removes cell means with 10 fixed sweeps of unweighted back-fitting (R/multistage.R, svyrecvar).
margin_frame <- function(cols) { m <- aggregate(pop$population, pop[cols], sum); names(m)[ncol(m)] <- "Freq"; m }
sample_margins <- lapply(margin_cols, function(cols) as.formula(paste("~", paste(cols, collapse = "+"))))
pop_margins <- lapply(margin_cols, margin_frame)
rk_final <- rake(designs$strat, sample_margins, pop_margins, control = list(maxit = 100, epsilon = 1e-12))
rk_equal <- rake(base_design, sample_margins, pop_margins, control = list(maxit = 1000, epsilon = 1e-12))
for (nm in c("rake_final", "rake_untrimmed")) {
  des <- if (nm == "rake_final") rk_final else rk_equal
  m <- svymean(~q10_overall_tb, des, na.rm = TRUE)
  ci <- attr(svyciprop(~q10_overall_tb, des, method = "logit"), "ci")
  put(out, paste("sensitivity", nm, "county", OVERALL, "estimate", sep = "/"), coef(m)[[1]])
  put(out, paste("sensitivity", nm, "county", OVERALL, "se", sep = "/"), SE(m)[[1]])
  put(out, paste("sensitivity", nm, "county", OVERALL, "ci_low", sep = "/"), ci[[1]])
  put(out, paste("sensitivity", nm, "county", OVERALL, "ci_high", sep = "/"), ci[[2]])
}
put(out, "sensitivity/rake_final/max_rel_weight_change", max(abs(weights(rk_final) / d$weight - 1)))

write_values(out, args[2])
