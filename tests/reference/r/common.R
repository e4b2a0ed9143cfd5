# Shared by the R checks of issue 12: reading the exported inputs, the answer recodes, the key,value writer.
# Sourced by the other scripts in this folder; base R and survey only (no psych: CI does not have it).
# Inputs: the CSV folder written by tests/reference/r/export_inputs.py (see README.md).

suppressMessages(library(survey))
# R's default, stated: a stratum (district) left with one batch is an error, never silently dropped.
options(survey.lonely.psu = "fail")

ITEMS <- c("q01_safety", "q02_public_order", "q03_attitude", "q04_fairness", "q05_efficiency",
           "q06_integrity", "q07_response", "q08_visibility", "q09_traffic", "q10_overall")
OVERALL <- "q10_overall"

read_csv_input <- function(dir, name, ...) {
  path <- file.path(dir, name)
  if (!file.exists(path)) stop("missing input ", path, " (write it with tests/reference/r/export_inputs.py)")
  read.csv(path, stringsAsFactors = FALSE, na.strings = "", check.names = FALSE, ...)
}

read_params <- function(dir) {
  p <- read_csv_input(dir, "params.csv", colClasses = "character")
  setNames(as.list(p$value), p$key)
}

# Answer codes 1-5 are valid; 9 (don't know) and blank are missing for every estimate of that item.
# Adds <item>_score (1-5 or NA) and <item>_tb (1 for 4 or 5, 0 for 1-3, NA otherwise).
add_recodes <- function(d) {
  for (q in ITEMS) {
    v <- d[[q]]
    bad <- !is.na(v) & !(v %in% c(1:5, 9))
    if (any(bad)) stop("respondents.csv: ", q, " has codes outside 1-5 and 9 in rows ", paste(head(which(bad)), collapse = ", "))
    v[!(v %in% 1:5)] <- NA
    d[[paste0(q, "_score")]] <- v
    d[[paste0(q, "_tb")]] <- ifelse(is.na(v), NA, as.numeric(v >= 4))
  }
  d
}

read_respondents <- function(dir) {
  d <- read_csv_input(dir, "respondents.csv",
                      colClasses = c(form_id = "character", batch_id = "character", police_contact = "character"))
  add_recodes(d)
}

# The key,value collector: every value written with 17 significant digits (NA as NA).
new_values <- function() {
  env <- new.env()
  env$keys <- character(0)
  env$vals <- numeric(0)
  env
}

put <- function(out, key, value) {
  value <- as.numeric(value)
  if (length(value) != 1) stop("put(", key, "): expected one value, got ", length(value))
  out$keys <- c(out$keys, key)
  out$vals <- c(out$vals, value)
}

write_values <- function(out, path) {
  if (anyDuplicated(out$keys)) stop("duplicate keys: ", paste(head(out$keys[duplicated(out$keys)]), collapse = ", "))
  text <- ifelse(is.na(out$vals), "NA", sprintf("%.17g", out$vals))
  write.csv(data.frame(key = out$keys, value = text), path, row.names = FALSE, quote = TRUE)
}

script_args <- function(n, usage) {
  args <- commandArgs(TRUE)
  if (length(args) != n) {
    message("usage: ", usage)
    quit(status = 2)
  }
  args
}
