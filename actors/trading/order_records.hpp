// An order's records as plain data: the journal entry of a new intent, the update its strategy
// is told, and the arithmetic of a fill. Pure functions; the order executor calls them.
#pragma once

#include <cstdint>
#include <optional>

#include "actors/trading/order_journal.hpp"
#include "messages/orders.hpp"

namespace kis {

// The entry journaled before a signal's order leaves: status journaled, KST day and time of now.
journal_entry intent_entry(const signal& s, std::int64_t now_ns);

// What the strategy is told about e; last_* describe the fill that caused it, if any.
order_update update_of(const journal_entry& e, std::int64_t last_qty, std::int64_t last_px,
                       std::int64_t now_ns);

// What the strategy is told about an accepted signal that is not (or never became) an order.
order_update update_of_signal(const signal& s, const std::string& client_id, order_status st,
                              std::string reason, std::int64_t now_ns);

// Adds a fill of qty at price to e's filled quantity and average price, never past the order's
// quantity; the quantity it counted (0 or less: nothing to record).
std::int64_t add_fill(journal_entry& e, std::int64_t qty, std::int64_t price);

// The price of the `delta` units an inquire-daily-ccld row adds to e: from its cumulative
// amount when it has one (what the row adds beyond what e already holds), else its average.
std::int64_t ccld_fill_price(const journal_entry& e, const fill_record& r, std::int64_t delta);

// The final status an inquire-daily-ccld row shows for an open order: cancelled, or rejected
// with nothing filled; none while anything is left to fill.
std::optional<order_status> ccld_outcome(const fill_record& r);

} // namespace kis
