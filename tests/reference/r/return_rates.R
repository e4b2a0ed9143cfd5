# Return (collection) rates clustered by batch, Rao-Scott tests, and the worst-case nonresponse bounds (issue 12).
#
# Usage: Rscript tests/reference/r/return_rates.R <input_dir> <output.csv>
# <input_dir>: batches.csv and respondents.csv from tests/reference/r/export_inputs.py.
# Output: key,value (17 significant digits); README.md lists the keys.
#
# The unit is the form handed out: one row per form (forms_distributed rows per batch, `returned` of them
# returned), weight 1, batches as clusters. Designs: psu (no strata) and strat (strata = district, the
# primary: batches were handed out within districts). The rate is svymean of the 0/1 returned indicator,
# which is the ratio sum(returned) / sum(distributed) over batches; svyratio on the batch-level design gives
# the same estimate and SE (checked below). No finite-population correction: every batch is in the data, so
# the interval describes the process that produced the returns, not sampling of batches.

# Also within each district (the district reports): the return rate by channel and its Rao-Scott test.
# R_CHECK_FAST=1 (the live check): the strat design only.

here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "common.R"))
args <- script_args(2, "Rscript return_rates.R <input_dir> <output.csv>")
FAST <- identical(Sys.getenv("R_CHECK_FAST"), "1")
b <- read_csv_input(args[1], "batches.csv", colClasses = c(batch_id = "character"))
resp <- read_respondents(args[1])
out <- new_values()

bad <- b$returned > b$forms_distributed | b$forms_distributed < 1
if (any(bad)) stop("batches.csv: returned > forms_distributed or no forms in batches ", paste(head(b$batch_id[bad]), collapse = ", "))

forms <- b[rep(seq_len(nrow(b)), b$forms_distributed), c("batch_id", "district", "channel")]
forms$returned <- unlist(lapply(seq_len(nrow(b)), function(i) rep(c(1, 0), c(b$returned[i], b$forms_distributed[i] - b$returned[i]))))
forms$returned_f <- factor(ifelse(forms$returned == 1, "returned", "not_returned"))
forms$one <- 1
b$one <- 1
designs <- list(
  psu = svydesign(ids = ~batch_id, weights = ~one, data = forms),
  strat = svydesign(ids = ~batch_id, strata = ~district, weights = ~one, data = forms)
)
if (FAST) designs <- designs["strat"]
batch_designs <- list(
  psu = svydesign(ids = ~batch_id, weights = ~one, data = b),
  strat = svydesign(ids = ~batch_id, strata = ~district, weights = ~one, data = b)
)

rate <- function(nm, prefix, keep_forms, keep_batches) {
  s <- designs[[nm]][keep_forms, ]
  m <- svymean(~returned, s, deff = "replace")
  ci <- if (FAST) c(NA, NA) else attr(svyciprop(~returned, s, method = "logit"), "ci")     # df = degf(s)
  r <- svyratio(~returned, ~forms_distributed, batch_designs[[nm]][keep_batches, ])
  rci <- confint(r, df = degf(s))
  k <- sum(forms$returned[keep_forms]); nn <- sum(keep_forms)
  w <- prop.test(k, nn, correct = FALSE)$conf.int                 # Wilson: the project's interval today
  put(out, paste(prefix, "returned", sep = "/"), k)
  put(out, paste(prefix, "distributed", sep = "/"), nn)
  put(out, paste(prefix, "batches", sep = "/"), sum(keep_batches))
  put(out, paste(prefix, "estimate", sep = "/"), coef(m)[[1]])
  put(out, paste(prefix, "se", sep = "/"), SE(m)[[1]])
  put(out, paste(prefix, "df", sep = "/"), degf(s))
  put(out, paste(prefix, "deff", sep = "/"), deff(m)[[1]])
  put(out, paste(prefix, "ci_low", sep = "/"), ci[[1]])
  put(out, paste(prefix, "ci_high", sep = "/"), ci[[2]])
  # svyciprop's logit interval in closed form (its glm fit is converged only to ~1e-9; see survey_design.R)
  p <- coef(m)[[1]]
  eta <- qlogis(p) + c(-1, 1) * qt(0.975, degf(s)) * SE(m)[[1]] / (p * (1 - p))
  put(out, paste(prefix, "ci_low_closed", sep = "/"), plogis(eta[1]))
  put(out, paste(prefix, "ci_high_closed", sep = "/"), plogis(eta[2]))
  put(out, paste(prefix, "ratio_se", sep = "/"), SE(r)[[1]])
  put(out, paste(prefix, "ratio_low", sep = "/"), rci[1, 1])
  put(out, paste(prefix, "ratio_high", sep = "/"), rci[1, 2])
  put(out, paste(prefix, "wilson_low", sep = "/"), w[1])
  put(out, paste(prefix, "wilson_high", sep = "/"), w[2])
}

for (nm in names(designs)) {
  rate(nm, paste(nm, "county", sep = "/"), rep(TRUE, nrow(forms)), rep(TRUE, nrow(b)))
  for (v in c("channel", "district")) {
    for (lvl in sort(unique(b[[v]]))) {
      rate(nm, paste(nm, "county", paste0(v, "=", lvl), sep = "/"), forms[[v]] == lvl, b[[v]] == lvl)
    }
    # Rao-Scott: statistic = "F" (the default): Pearson's X^2 over the mean generalised design effect,
    # referred to F(d, d * degf) with d = tr(Delta)^2 / tr(Delta^2) (second-order, Satterthwaite).
    f <- as.formula(paste("~returned_f +", v))
    rs <- svychisq(f, designs[[nm]], statistic = "F")
    rs1 <- svychisq(f, designs[[nm]], statistic = "Chisq")
    prefix <- paste(nm, "raoscott", v, sep = "/")
    put(out, paste(prefix, "F", sep = "/"), rs$statistic)
    put(out, paste(prefix, "ndf", sep = "/"), rs$parameter[["ndf"]])
    put(out, paste(prefix, "ddf", sep = "/"), rs$parameter[["ddf"]])
    put(out, paste(prefix, "p", sep = "/"), rs$p.value)
    put(out, paste(prefix, "first_order_chisq", sep = "/"), rs1$statistic)
    put(out, paste(prefix, "first_order_df", sep = "/"), rs1$parameter[["df"]])
    put(out, paste(prefix, "first_order_p", sep = "/"), rs1$p.value)
    # Pearson's X^2 on the form counts, as the project reports it today (forms independent).
    pe <- suppressWarnings(chisq.test(table(forms$returned_f, forms[[v]]), correct = FALSE))
    put(out, paste(prefix, "pearson_chisq", sep = "/"), pe$statistic)
    put(out, paste(prefix, "pearson_df", sep = "/"), pe$parameter)
    put(out, paste(prefix, "pearson_p", sep = "/"), pe$p.value)
  }
}

# Within each district (strat design: the district is one stratum): the rate by channel and its test.
for (h in sort(unique(b$district))) {
  in_h <- forms$district == h
  for (lvl in sort(unique(b$channel[b$district == h]))) {
    rate("strat", paste0("strat/district=", h, "/channel=", lvl), in_h & forms$channel == lvl,
         b$district == h & b$channel == lvl)
  }
  if (length(unique(b$channel[b$district == h])) > 1) {
    rs <- svychisq(~returned_f + channel, subset(designs$strat, district == h), statistic = "F")
    prefix <- paste0("strat/raoscott/district=", h, "/channel")
    put(out, paste(prefix, "F", sep = "/"), rs$statistic)
    put(out, paste(prefix, "ndf", sep = "/"), rs$parameter[["ndf"]])
    put(out, paste(prefix, "ddf", sep = "/"), rs$parameter[["ddf"]])
    put(out, paste(prefix, "p", sep = "/"), rs$p.value)
  }
}

# --- nonresponse bounds ------------------------------------------------------------------------------------
# Worst case among everyone handed a form: a returned form without a valid overall answer (don't know,
# blank, or the respondent outside the weighted sample's columns) is as unknown as a form never returned.
# lower = satisfied / distributed; upper = (satisfied + distributed - valid answers) / distributed.
nonresponse <- function(prefix, keep_resp, distributed, returned) {
  tb <- resp$q10_overall_tb[keep_resp]
  valid <- sum(!is.na(tb)); satisfied <- sum(tb, na.rm = TRUE)
  put(out, paste(prefix, "distributed", sep = "/"), distributed)
  put(out, paste(prefix, "returned", sep = "/"), returned)
  put(out, paste(prefix, "valid_answers", sep = "/"), valid)
  put(out, paste(prefix, "returned_without_valid_answer", sep = "/"), returned - valid)
  put(out, paste(prefix, "satisfied", sep = "/"), satisfied)
  put(out, paste(prefix, "lower", sep = "/"), satisfied / distributed)
  put(out, paste(prefix, "upper", sep = "/"), (satisfied + distributed - valid) / distributed)
  # Today's two versions (both r p .. r p + 1 - r, so both treat every returned form as answered):
  r <- returned / distributed
  p_unw <- satisfied / valid
  w <- resp$weight[keep_resp]
  use <- !is.na(tb) & !is.na(w)
  p_w <- sum(w[use] * tb[use]) / sum(w[use])
  put(out, paste(prefix, "summary_unweighted_lower", sep = "/"), r * p_unw)
  put(out, paste(prefix, "summary_unweighted_upper", sep = "/"), r * p_unw + 1 - r)
  put(out, paste(prefix, "survey_weighted_lower", sep = "/"), r * p_w)
  put(out, paste(prefix, "survey_weighted_upper", sep = "/"), r * p_w + 1 - r)
}
if (nrow(resp) != sum(b$returned)) stop("respondents.csv has ", nrow(resp), " forms, batches.csv counts ", sum(b$returned), " returned")
nonresponse("nonresponse/county", rep(TRUE, nrow(resp)), sum(b$forms_distributed), nrow(resp))
resp_district <- b$district[match(resp$batch_id, b$batch_id)]   # a form counts for its batch's district
for (h in sort(unique(b$district))) {
  nonresponse(paste0("nonresponse/district=", h), resp_district == h,
              sum(b$forms_distributed[b$district == h]), sum(b$returned[b$district == h]))
}

write_values(out, args[2])
