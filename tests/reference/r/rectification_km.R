# Time to rectification on two clocks, Kaplan-Meier with R's survival package (3.5-3), for issue 12.
#
# Usage: Rscript tests/reference/r/rectification_km.R <input_dir> <output.csv>
# <input_dir>: ledger.csv, register.csv, params.csv from tests/reference/r/export_inputs.py.
# Output: key,value (17 significant digits); README.md lists the keys.
#
# Clocks: "receipt" starts on the day the opinion was first received (the earliest `received` among the
# suggestions merged into it: the wait the public sees); "plan" starts on the ledger's plan date (today's
# clock). Both end on the closing date of an opinion rectified on or before the cut-off, or are censored at
# the cut-off. Each clock keeps the opinions whose start is on or before the cut-off. Median and interval:
# quantile(survfit(Surv(days, event) ~ 1), 0.5), conf.type = "log" (survfit's default), Greenwood variance.

here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "common.R"))
suppressMessages(library(survival))
args <- script_args(2, "Rscript rectification_km.R <input_dir> <output.csv>")
params <- read_params(args[1])
led <- read_csv_input(args[1], "ledger.csv")
reg <- read_csv_input(args[1], "register.csv")
out <- new_values()

cutoff <- as.Date(params$cutoff_date)
for (c in c("plan_date", "deadline", "closed_date")) led[[c]] <- as.Date(led[[c]])
reg$received <- as.Date(reg$received)
first <- tapply(reg$received, reg$opinion_id, min)
led$received <- as.Date(first[led$opinion_id], origin = "1970-01-01")
if (anyNA(led$received)) stop("ledger.csv: opinions without a suggestion in register.csv: ", paste(head(led$opinion_id[is.na(led$received)]), collapse = ", "))
# The opinion's category: the most common among its suggestions, ties to the alphabetically first.
cat_of <- sapply(split(reg$category, reg$opinion_id), function(x) { t <- table(x); sort(names(t)[t == max(t)])[1] })
led$category <- unname(cat_of[led$opinion_id])

led$event <- as.integer(led$status == "rectified" & !is.na(led$closed_date) & led$closed_date <= cutoff)
if (any(led$status == "rectified" & is.na(led$closed_date))) stop("ledger.csv: rectified opinions without a closing date")
end <- ifelse(led$event == 1, led$closed_date, cutoff)

put_median <- function(prefix, fit) {
  q <- quantile(fit, probs = 0.5)
  put(out, paste(prefix, "median", sep = "/"), q$quantile)
  put(out, paste(prefix, "ci_low", sep = "/"), q$lower)
  put(out, paste(prefix, "ci_high", sep = "/"), q$upper)
}

# Scopes: the county, and each district: the opinions with at least one suggestion from it (the district
# reports' rule; an opinion without a district is county-wide). Keys: km/<clock>[/district=<h>]/<all|category>/...
scopes <- list(county = rep(TRUE, nrow(led)))
if ("district" %in% names(reg)) {
  for (h in sort(unique(na.omit(reg$district)))) {
    scopes[[paste0("district=", h)]] <- led$opinion_id %in% reg$opinion_id[!is.na(reg$district) & reg$district == h]
  }
}

for (clock in c("receipt", "plan")) {
  start <- if (clock == "receipt") led$received else led$plan_date
  days_all <- as.numeric(end - as.numeric(start))
  for (sc in names(scopes)) {
    keep <- start <= cutoff & scopes[[sc]]
    if (!any(keep)) next
    days <- days_all[keep]
    if (any(days < 0)) stop("ledger.csv: closing date before the ", clock, " date for ", paste(head(led$opinion_id[keep][days < 0]), collapse = ", "))
    st <- data.frame(days = days, event = led$event[keep], category = led$category[keep])
    head_key <- if (sc == "county") paste("km", clock, sep = "/") else paste("km", clock, sc, sep = "/")
    fit <- survfit(Surv(days, event) ~ 1, data = st, conf.type = "log")
    prefix <- paste(head_key, "all", sep = "/")
    put(out, paste(prefix, "n", sep = "/"), nrow(st))
    put(out, paste(prefix, "events", sep = "/"), sum(st$event))
    put_median(prefix, fit)
    for (k in sort(unique(st$category))) {
      sub <- st[st$category == k, ]
      put(out, paste(head_key, k, "n", sep = "/"), nrow(sub))
      put_median(paste(head_key, k, sep = "/"), survfit(Surv(days, event) ~ 1, data = sub, conf.type = "log"))
    }
    if (sc == "county" && length(unique(st$category)) > 1) {
      lr <- survdiff(Surv(days, event) ~ category, data = st)
      put(out, paste("logrank", clock, "chisq", sep = "/"), lr$chisq)
      put(out, paste("logrank", clock, "df", sep = "/"), length(lr$n) - 1)
      put(out, paste("logrank", clock, "p", sep = "/"), pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE))
    }
  }
}

write_values(out, args[2])
