// interval_in / interval_out for the canonical form, after PostgreSQL 15's datetime.c: the fields
// of the text are read right to left (DecodeInterval), a number without a unit word takes the
// unit of the field to its right (a time field makes it days; the last one is read by the
// type's range, seconds by default), fractions spill into the smaller units (AdjustFract*),
// the typmod truncates (AdjustIntervalForTypmod), and EncodeInterval prints the result in the
// default IntervalStyle, postgres.
#include "schema/interval_text.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <vector>

namespace pgdrift::schema {

namespace {

using namespace interval_field;

constexpr int64_t kUsecPerSecond = 1000000;
constexpr int64_t kUsecPerMinute = 60 * kUsecPerSecond;
constexpr int64_t kUsecPerHour = 60 * kUsecPerMinute;
constexpr int64_t kUsecPerDay = 24 * kUsecPerHour;
// Longer numbers are left to PostgreSQL (they could overflow here and are not schema defaults).
constexpr size_t kMaxDigits = 12;

struct Interval {
  int64_t months = 0;
  int64_t days = 0;
  int64_t usec = 0;
};

enum class Unit {
  Microsecond,
  Millisecond,
  Second,
  Minute,
  Hour,
  Day,
  Week,
  Month,
  Year,
  Decade,
  Century,
  Millennium
};

// deltatktbl's unit words (lower case; PostgreSQL truncates tokens to 10 characters, so
// "microseconds" is read as "microsecon").
std::optional<Unit> unit_named(const std::string& word) {
  static const std::map<std::string, Unit> units = {
      {"microsecon", Unit::Microsecond},
      {"us", Unit::Microsecond},
      {"usec", Unit::Microsecond},
      {"usecond", Unit::Microsecond},
      {"useconds", Unit::Microsecond},
      {"usecs", Unit::Microsecond},
      {"millisecon", Unit::Millisecond},
      {"ms", Unit::Millisecond},
      {"msec", Unit::Millisecond},
      {"msecond", Unit::Millisecond},
      {"mseconds", Unit::Millisecond},
      {"msecs", Unit::Millisecond},
      {"s", Unit::Second},
      {"sec", Unit::Second},
      {"second", Unit::Second},
      {"seconds", Unit::Second},
      {"secs", Unit::Second},
      {"m", Unit::Minute},
      {"min", Unit::Minute},
      {"mins", Unit::Minute},
      {"minute", Unit::Minute},
      {"minutes", Unit::Minute},
      {"h", Unit::Hour},
      {"hour", Unit::Hour},
      {"hours", Unit::Hour},
      {"hr", Unit::Hour},
      {"hrs", Unit::Hour},
      {"d", Unit::Day},
      {"day", Unit::Day},
      {"days", Unit::Day},
      {"w", Unit::Week},
      {"week", Unit::Week},
      {"weeks", Unit::Week},
      {"mon", Unit::Month},
      {"mons", Unit::Month},
      {"month", Unit::Month},
      {"months", Unit::Month},
      {"y", Unit::Year},
      {"year", Unit::Year},
      {"years", Unit::Year},
      {"yr", Unit::Year},
      {"yrs", Unit::Year},
      {"dec", Unit::Decade},
      {"decade", Unit::Decade},
      {"decades", Unit::Decade},
      {"decs", Unit::Decade},
      {"c", Unit::Century},
      {"cent", Unit::Century},
      {"centuries", Unit::Century},
      {"century", Unit::Century},
      {"mil", Unit::Millennium},
      {"millennia", Unit::Millennium},
      {"millennium", Unit::Millennium},
      {"mils", Unit::Millennium},
  };
  auto it = units.find(word.substr(0, 10));
  if (it == units.end()) return std::nullopt;
  return it->second;
}

// The field bit DecodeInterval checks for a unit given twice (DTK_M(...)); a time field takes
// hour, minute and second.
int field_bit(Unit unit) { return 1 << static_cast<int>(unit); }
constexpr int kTimeFieldBits = (1 << static_cast<int>(Unit::Second)) |
                               (1 << static_cast<int>(Unit::Minute)) |
                               (1 << static_cast<int>(Unit::Hour));

// AdjustFractMicroseconds: `frac` of `scale` microseconds, the remainder rounded.
void add_fraction_usec(Interval& iv, double frac, int64_t scale) {
  if (frac == 0) return;
  frac *= static_cast<double>(scale);
  auto usec = static_cast<int64_t>(frac);
  frac -= static_cast<double>(usec);
  iv.usec += usec + static_cast<int64_t>(std::rint(frac));
}

// AdjustFractDays: `frac` of `scale` days, whole days first.
void add_fraction_days(Interval& iv, double frac, int scale) {
  if (frac == 0) return;
  frac *= scale;
  auto days = static_cast<int64_t>(frac);
  iv.days += days;
  add_fraction_usec(iv, frac - static_cast<double>(days), kUsecPerDay);
}

// AdjustFractYears: `frac` of `scale` years, in whole months.
void add_fraction_years(Interval& iv, double frac, int scale) {
  if (frac == 0) return;
  iv.months += static_cast<int64_t>(std::rint(frac * scale * 12));
}

void add(Interval& iv, Unit unit, int64_t value, double frac) {
  switch (unit) {
    case Unit::Microsecond:
      iv.usec += value;
      add_fraction_usec(iv, frac, 1);
      break;
    case Unit::Millisecond:
      iv.usec += value * 1000;
      add_fraction_usec(iv, frac, 1000);
      break;
    case Unit::Second:
      iv.usec += value * kUsecPerSecond;
      add_fraction_usec(iv, frac, kUsecPerSecond);
      break;
    case Unit::Minute:
      iv.usec += value * kUsecPerMinute;
      add_fraction_usec(iv, frac, kUsecPerMinute);
      break;
    case Unit::Hour:
      iv.usec += value * kUsecPerHour;
      add_fraction_usec(iv, frac, kUsecPerHour);
      break;
    case Unit::Day:
      iv.days += value;
      add_fraction_usec(iv, frac, kUsecPerDay);
      break;
    case Unit::Week:
      iv.days += value * 7;
      add_fraction_days(iv, frac, 7);
      break;
    case Unit::Month:
      iv.months += value;
      add_fraction_days(iv, frac, 30);
      break;
    case Unit::Year:
      iv.months += value * 12;
      add_fraction_years(iv, frac, 1);
      break;
    case Unit::Decade:
      iv.months += value * 120;
      add_fraction_years(iv, frac, 10);
      break;
    case Unit::Century:
      iv.months += value * 1200;
      add_fraction_years(iv, frac, 100);
      break;
    case Unit::Millennium:
      iv.months += value * 12000;
      add_fraction_years(iv, frac, 1000);
      break;
  }
}

// The unit of a number without a unit word at the right end: the last field of the range.
Unit unit_of_range(int range) {
  switch (range) {
    case kYear:
      return Unit::Year;
    case kMonth:
    case kYear | kMonth:
      return Unit::Month;
    case kDay:
      return Unit::Day;
    case kHour:
    case kDay | kHour:
      return Unit::Hour;
    case kMinute:
    case kHour | kMinute:
    case kDay | kHour | kMinute:
      return Unit::Minute;
    default:
      return Unit::Second;
  }
}

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > kMaxDigits) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "digits[.digits]" (either part may be empty, not both): the whole part and the fraction.
bool split_number(const std::string& s, int64_t& whole, double& frac) {
  const size_t dot = s.find('.');
  const std::string int_part = s.substr(0, dot);
  const std::string frac_part = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return false;
  if (!int_part.empty() && !all_digits(int_part)) return false;
  if (dot != std::string::npos && !frac_part.empty() && !all_digits(frac_part)) return false;
  whole = int_part.empty() ? 0 : std::strtoll(int_part.c_str(), nullptr, 10);
  frac = frac_part.empty() ? 0 : std::strtod(("0." + frac_part).c_str(), nullptr);
  return true;
}

// DecodeTimeForInterval: "h:mm", "h:mm:ss[.f]", or "mm:ss[.f]" (MINUTE TO SECOND, or when the
// second part has a fraction), in microseconds.
std::optional<int64_t> time_field_usec(const std::string& s, int range) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = s.find(':', start)) != std::string::npos; start = colon + 1)
    parts.push_back(s.substr(start, colon - start));
  parts.push_back(s.substr(start));
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    if (!all_digits(parts[i])) return std::nullopt;
  int64_t last = 0;
  double frac = 0;
  if (!split_number(parts.back(), last, frac) || parts.back().front() == '.') return std::nullopt;
  int64_t hour = 0, minute = 0, second = 0;
  const bool minutes_seconds = parts.size() == 2 && (range == (kMinute | kSecond) ||
                                                     parts.back().find('.') != std::string::npos);
  if (parts.size() == 3) {
    hour = std::strtoll(parts[0].c_str(), nullptr, 10);
    minute = std::strtoll(parts[1].c_str(), nullptr, 10);
    second = last;
  } else if (minutes_seconds) {
    minute = std::strtoll(parts[0].c_str(), nullptr, 10);
    second = last;
  } else {
    if (frac != 0) return std::nullopt;
    hour = std::strtoll(parts[0].c_str(), nullptr, 10);
    minute = last;
  }
  if (minute > 59 || second > 60) return std::nullopt;
  return hour * kUsecPerHour + minute * kUsecPerMinute + second * kUsecPerSecond +
         static_cast<int64_t>(std::rint(frac * kUsecPerSecond));
}

// One field of the text as ParseDateTime splits it.
struct Field {
  enum Kind { Number, Time, Word } kind;
  std::string text;    // without the sign
  bool minus = false;  // a leading '-'
  bool signed_ = false;
};

std::optional<std::vector<Field>> split_fields(const std::string& text) {
  std::vector<Field> fields;
  size_t i = 0;
  auto is_number_char = [&](size_t k) {
    return k < text.size() && (std::isdigit(static_cast<unsigned char>(text[k])) ||
                               text[k] == '.' || text[k] == ':' || text[k] == '-');
  };
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c) || c == '@') {
      ++i;
    } else if (std::isalpha(c)) {
      size_t start = i;
      while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
      Field f{Field::Word, text.substr(start, i - start)};
      for (char& ch : f.text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      fields.push_back(f);
    } else if (std::isdigit(c) || c == '.' || c == '+' || c == '-') {
      Field f{Field::Number, ""};
      if (c == '+' || c == '-') {
        f.signed_ = true;
        f.minus = c == '-';
        ++i;
        if (i >= text.size() ||
            !(std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
          return std::nullopt;
        }
      }
      size_t start = i;
      while (is_number_char(i)) ++i;
      f.text = text.substr(start, i - start);
      if (f.text.find(':') != std::string::npos) f.kind = Field::Time;
      fields.push_back(f);
    } else {
      return std::nullopt;
    }
  }
  return fields;
}

// DecodeInterval over the fields, right to left.
std::optional<Interval> decode(const std::string& text, int range) {
  auto fields = split_fields(text);
  if (!fields || fields->empty()) return std::nullopt;
  Interval iv;
  bool ago = false;
  std::optional<Unit> unit;  // the unit of the next number to the left (IGNORE_DTF when unset)
  int seen = 0;
  for (size_t n = fields->size(); n-- > 0;) {
    const Field& f = (*fields)[n];
    switch (f.kind) {
      case Field::Word: {
        if (f.text == "ago") {
          if (ago || n + 1 != fields->size()) return std::nullopt;
          ago = true;
          break;
        }
        unit = unit_named(f.text);
        if (!unit) return std::nullopt;
        break;
      }
      case Field::Time: {
        auto usec = time_field_usec(f.text, range);
        if (!usec || (seen & kTimeFieldBits)) return std::nullopt;
        seen |= kTimeFieldBits;
        iv.usec += f.minus ? -*usec : *usec;
        unit = Unit::Day;  // '1 02:00' is a day and two hours
        break;
      }
      case Field::Number: {
        // A number keeps the unit for the next one to its left: '1 2' names seconds twice.
        Unit u = unit ? *unit : unit_of_range(range);
        unit = u;
        int64_t value = 0;
        double frac = 0;
        const size_t dash = f.text.find('-');
        if (dash != std::string::npos) {  // SQL "years-months"
          const std::string years = f.text.substr(0, dash), months = f.text.substr(dash + 1);
          if (!all_digits(years) || !all_digits(months)) return std::nullopt;
          int64_t m = std::strtoll(months.c_str(), nullptr, 10);
          if (m >= 12) return std::nullopt;
          value = std::strtoll(years.c_str(), nullptr, 10) * 12 + m;
          if (f.minus) value = -value;
          u = Unit::Month;
          unit = Unit::Month;
        } else {
          if (!split_number(f.text, value, frac)) return std::nullopt;
          if (f.minus) {
            value = -value;
            frac = -frac;
          }
        }
        if (seen & field_bit(u)) return std::nullopt;
        seen |= field_bit(u);
        add(iv, u, value, frac);
        break;
      }
    }
  }
  if (ago) {
    iv.months = -iv.months;
    iv.days = -iv.days;
    iv.usec = -iv.usec;
  }
  return iv;
}

// ISO 8601 format with designators: P[nY][nM][nW][nD][T[nH][nM][nS]].
std::optional<Interval> decode_iso8601(const std::string& text) {
  Interval iv;
  bool in_time = false, any = false;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 't') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    if (text[i] == '-' || text[i] == '+') ++i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i >= text.size() || i == start) return std::nullopt;
    std::string number = text.substr(start, i - start);
    const bool minus = number[0] == '-';
    if (number[0] == '-' || number[0] == '+') number.erase(0, 1);
    int64_t value = 0;
    double frac = 0;
    if (!split_number(number, value, frac)) return std::nullopt;
    if (minus) {
      value = -value;
      frac = -frac;
    }
    const char designator = text[i++];
    static const std::map<char, Unit> date_units = {
        {'y', Unit::Year}, {'m', Unit::Month}, {'w', Unit::Week}, {'d', Unit::Day}};
    static const std::map<char, Unit> time_units = {
        {'h', Unit::Hour}, {'m', Unit::Minute}, {'s', Unit::Second}};
    const auto& units = in_time ? time_units : date_units;
    auto it = units.find(designator);
    if (it == units.end()) return std::nullopt;
    add(iv, it->second, value, frac);
    any = true;
  }
  if (!any) return std::nullopt;
  return iv;
}

// AdjustIntervalForTypmod.
void apply_typmod(Interval& iv, int range, int precision) {
  if (range == kYear) {
    iv.months = (iv.months / 12) * 12;
    iv.days = 0;
    iv.usec = 0;
  } else if (range == kMonth || range == (kYear | kMonth)) {
    iv.days = 0;
    iv.usec = 0;
  } else if (range == kDay) {
    iv.usec = 0;
  } else if (range == kHour || range == (kDay | kHour)) {
    iv.usec = (iv.usec / kUsecPerHour) * kUsecPerHour;
  } else if (range == kMinute || range == (kHour | kMinute) || range == (kDay | kHour | kMinute)) {
    iv.usec = (iv.usec / kUsecPerMinute) * kUsecPerMinute;
  }
  if (precision >= 0 && precision <= 6) {
    int64_t scale = 1;
    for (int k = precision; k < 6; ++k) scale *= 10;
    const int64_t offset = scale / 2;
    iv.usec = iv.usec >= 0 ? ((iv.usec + offset) / scale) * scale
                           : -(((-iv.usec + offset) / scale) * scale);
  }
}

// AddPostgresIntPart.
void add_part(std::string& out, int64_t value, const char* unit, bool& is_zero, bool& is_before) {
  if (value == 0) return;
  if (!is_zero) out += ' ';
  if (is_before && value > 0) out += '+';
  out += std::to_string(value) + " " + unit + (value != 1 ? "s" : "");
  is_before = value < 0;
  is_zero = false;
}

std::string two_digits(int64_t value) {
  std::string s = std::to_string(value);
  return s.size() < 2 ? "0" + s : s;
}

// EncodeInterval, IntervalStyle postgres.
std::string encode(const Interval& iv) {
  const int64_t year = iv.months / 12, month = iv.months % 12;
  int64_t time = iv.usec;
  const int64_t hour = time / kUsecPerHour;
  time -= hour * kUsecPerHour;
  const int64_t minute = time / kUsecPerMinute;
  time -= minute * kUsecPerMinute;
  const int64_t second = time / kUsecPerSecond;
  const int64_t fsec = time - second * kUsecPerSecond;
  std::string out;
  bool is_zero = true, is_before = false;
  add_part(out, year, "year", is_zero, is_before);
  add_part(out, month, "mon", is_zero, is_before);
  add_part(out, iv.days, "day", is_zero, is_before);
  if (is_zero || hour != 0 || minute != 0 || second != 0 || fsec != 0) {
    const bool minus = hour < 0 || minute < 0 || second < 0 || fsec < 0;
    if (!is_zero) out += ' ';
    out += minus ? "-" : (is_before ? "+" : "");
    out += two_digits(std::llabs(hour)) + ":" + two_digits(std::llabs(minute)) + ":" +
           two_digits(std::llabs(second));
    if (fsec != 0) {
      std::string digits = std::to_string(std::llabs(fsec));
      digits.insert(0, 6 - digits.size(), '0');
      digits.erase(digits.find_last_not_of('0') + 1);
      out += "." + digits;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> interval_output_text(const std::string& input, int range,
                                                int precision) {
  std::string text;
  for (char c : input) text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t first = text.find_first_not_of(" \t\n\r\f\v");
  if (first == std::string::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(" \t\n\r\f\v") - first + 1);
  std::optional<Interval> iv = text[0] == 'p' ? decode_iso8601(text) : decode(text, range);
  if (!iv) return std::nullopt;
  apply_typmod(*iv, range, precision == kFullPrecision ? -1 : precision);
  return encode(*iv);
}

}  // namespace pgdrift::schema
