// Internal to schema/: interval constants as PostgreSQL stores and prints them. `'1
// hour'::interval` is kept as the value interval_in makes of the text and printed by interval_out,
// so the catalog says `'01:00:00'::interval`, `'2 weeks'` is `'14 days'`, `'90'::interval minute`
// is
// `'01:30:00'::interval minute`. The canonical form follows that (docs/canonical-form.md), written
// from PostgreSQL 15's datetime.c (DecodeInterval, AdjustIntervalForTypmod, EncodeInterval with
// the default IntervalStyle postgres).
#pragma once

#include <optional>
#include <string>

namespace pgdrift::schema {

// Interval typmod field bits (datetime.h INTERVAL_MASK) and the "no fields given" values.
namespace interval_field {
constexpr int kMonth = 1 << 1;
constexpr int kYear = 1 << 2;
constexpr int kDay = 1 << 3;
constexpr int kHour = 1 << 10;
constexpr int kMinute = 1 << 11;
constexpr int kSecond = 1 << 12;
constexpr int kFullRange = 0x7FFF;
constexpr int kFullPrecision = 0xFFFF;
}  // namespace interval_field

// What interval_out prints of interval_in(`input`, typmod(range, precision)): `range` is the
// field mask (kFullRange when the type has no fields), `precision` the fractional second digits
// (kFullPrecision when not given). nullopt for input this reader does not follow (it covers
// PostgreSQL's unit words with optional fractions and signs, `ago`, `@`, h:mm[:ss[.f]] time
// fields, y-m, a lone number read by the range, and ISO 8601 `P...` with whole numbers): the
// text is then kept as written. Also nullopt for input PostgreSQL rejects.
std::optional<std::string> interval_output_text(const std::string& input,
                                                int range = interval_field::kFullRange,
                                                int precision = interval_field::kFullPrecision);

}  // namespace pgdrift::schema
