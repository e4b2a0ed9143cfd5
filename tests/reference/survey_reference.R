# Reference values from R's survey package (Lumley) for tests/test_survey.py.
#
# Usage: Rscript tests/reference/survey_reference.R <input_dir> <output.csv>
# <input_dir> holds design.csv (one row per weighted respondent: batch_id, weight, district,
# channel, age_band, sex, police_contact, q01..q10 raw codes with 9 = don't know, blank = NA)
# and population.csv (district, age_band, sex, population), both written by
# tests/reference/survey_reference_inputs.py.  Output: key,value rows with 17 significant digits.
# Debian packages: r-base-core r-cran-survey (R 4.2.2, survey 4.1-1). Alpha in base R (psych is not installed, nor in CI).
suppressMessages(library(survey))
args <- commandArgs(TRUE)
d <- read.csv(file.path(args[1], "design.csv"), stringsAsFactors = FALSE, na.strings = "",
              colClasses = c(batch_id = "character", police_contact = "character"))
pop <- read.csv(file.path(args[1], "population.csv"), stringsAsFactors = FALSE)
items <- grep("^q[0-9]+_", names(d), value = TRUE)   # before the derived _score and _tb columns exist
for (q in items) {
  v <- d[[q]]
  v[!(v %in% 1:5)] <- NA                 # 9 = don't know and blanks are excluded
  d[[paste0(q, "_score")]] <- v
  d[[paste0(q, "_tb")]] <- ifelse(is.na(v), NA, as.numeric(v >= 4))   # top box = 4 or 5
}
des <- svydesign(ids = ~batch_id, weights = ~weight, data = d)
keys <- character(0); vals <- numeric(0)
put <- function(key, value) { keys <<- c(keys, key); vals <<- c(vals, as.numeric(value)) }

estimate <- function(prefix, keep, q) {
  tb <- paste0(q, "_tb"); sc <- paste0(q, "_score")
  s <- des[keep & !is.na(d[[tb]]), ]     # domain: keeps every batch of the design (nPSU)
  if (nrow(s) == 0) return(invisible())
  m <- svymean(as.formula(paste0("~", tb)), s)
  put(paste(prefix, q, "top_box", sep = "/"), coef(m)[[1]])
  put(paste(prefix, q, "top_box_se", sep = "/"), SE(m)[[1]])
  ci <- svyciprop(as.formula(paste0("~", tb)), s, method = "logit")
  put(paste(prefix, q, "top_box_low", sep = "/"), attr(ci, "ci")[[1]])
  put(paste(prefix, q, "top_box_high", sep = "/"), attr(ci, "ci")[[2]])
  put(paste(prefix, q, "df", sep = "/"), degf(s))
  mm <- svymean(as.formula(paste0("~", sc)), s)
  cm <- confint(mm, df = degf(s))
  put(paste(prefix, q, "mean", sep = "/"), coef(mm)[[1]])
  put(paste(prefix, q, "mean_se", sep = "/"), SE(mm)[[1]])
  put(paste(prefix, q, "mean_low", sep = "/"), cm[1, 1])
  put(paste(prefix, q, "mean_high", sep = "/"), cm[1, 2])
}

all_rows <- rep(TRUE, nrow(d))
for (q in items) estimate("county", all_rows, q)
for (v in c("district", "channel", "age_band", "police_contact")) {
  for (lvl in sort(unique(na.omit(d[[v]])))) {
    keep <- !is.na(d[[v]]) & d[[v]] == lvl
    estimate(paste("by", v, lvl, sep = "/"), keep, "q10_overall")
    if (v == "district") for (q in items) estimate(paste("district", lvl, sep = "/"), keep, q)
  }
}

# Design-based Wald tests of equal overall satisfaction across groups (saturated logistic model).
for (v in c("channel", "district", "age_band", "police_contact")) {
  s <- des[!is.na(d$q10_overall_tb) & !is.na(d[[v]]), ]
  m <- svyglm(as.formula(paste("q10_overall_tb ~", v)), s, family = quasibinomial)
  tt <- regTermTest(m, as.formula(paste("~", v)))
  put(paste("wald", v, "F", sep = "/"), tt$Ftest); put(paste("wald", v, "df1", sep = "/"), tt$df)
  put(paste("wald", v, "df2", sep = "/"), tt$ddf); put(paste("wald", v, "p", sep = "/"), tt$p)
}

# Raking to the two-way margins from equal starting weights (the untrimmed weights).
d$one <- 1
des1 <- svydesign(ids = ~batch_id, weights = ~one, data = d)
margin <- function(cols) {
  m <- aggregate(pop$population, pop[cols], sum)
  names(m)[ncol(m)] <- "Freq"
  m
}
rk <- rake(des1, list(~district + age_band, ~district + sex, ~age_band + sex),
           list(margin(c("district", "age_band")), margin(c("district", "sex")), margin(c("age_band", "sex"))),
           control = list(maxit = 1000, epsilon = 1e-13, verbose = FALSE))
cellw <- aggregate(weights(rk), d[c("district", "age_band", "sex")], mean)
for (i in seq_len(nrow(cellw))) put(paste("rake_weight", cellw$district[i], cellw$age_band[i], cellw$sex[i], sep = "/"), cellw$x[i])

# Cronbach's alpha of the ten items on complete cases, with Feldt's interval, in base R: the formulas of
# psych::alpha (raw_alpha) and psych::alpha.ci, which gave the same 17 digits on the demo.
scores <- d[paste0(items, "_score")]
scores <- scores[complete.cases(scores), ]
C <- cov(scores); k <- ncol(scores); n <- nrow(scores)
a <- k / (k - 1) * (1 - sum(diag(C)) / sum(C))
ci_low <- 1 - (1 - a) * qf(0.975, n - 1, (n - 1) * (k - 1))
ci_high <- 1 - (1 - a) * qf(0.025, n - 1, (n - 1) * (k - 1))
put("alpha/alpha", a); put("alpha/ci_low", ci_low); put("alpha/ci_high", ci_high); put("alpha/n", n)

write.csv(data.frame(key = keys, value = format(vals, digits = 17, trim = TRUE)), args[2], row.names = FALSE, quote = TRUE)
