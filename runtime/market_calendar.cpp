#include "runtime/market_calendar.hpp"

#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "kis/rest_codec.hpp"
#include "messages/errors.hpp"
#include "runtime/logging.hpp"

namespace kis::runtime {

std::filesystem::path holiday_cache_path(const std::filesystem::path& data_dir,
                                         api::environment env) {
  return data_dir /
         (std::string{"holidays-"} + (env == api::environment::real ? "real" : "paper") + ".txt");
}

std::optional<std::vector<market_day>> read_holiday_cache(const std::filesystem::path& file,
                                                          std::int32_t today) {
  std::ifstream in{file};
  std::string word;
  std::int32_t asked = 0;
  if (!(in >> word >> asked) || word != "asked" || asked != today)
    return std::nullopt;
  std::vector<market_day> days;
  std::int32_t date = 0;
  std::string open;
  while (in >> date >> open) {
    if (date < 19000101 || date > 29991231 || (open != "Y" && open != "N"))
      return std::nullopt;
    market_day d;
    d.date = date;
    d.open = open == "Y";
    days.push_back(d);
  }
  if (!in.eof() || days.empty())
    return std::nullopt;
  return days;
}

std::optional<api::api_error> write_holiday_cache(const std::filesystem::path& file,
                                                  std::int32_t today,
                                                  std::span<const market_day> days) {
  // Written aside and renamed: a crash mid-write leaves the old file or none, never half.
  const auto tmp = std::filesystem::path{file.string() + ".tmp"};
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << "asked " << today << '\n';
    for (const auto& d : days)
      out << d.date << ' ' << (d.open ? 'Y' : 'N') << '\n';
    if (!out.flush())
      return api::make_api_error(errc::io, "cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec)
    return api::make_api_error(errc::io, "cannot rename " + tmp.string() + ": " + ec.message());
  return std::nullopt;
}

namespace {

using days_result = api::result<std::vector<market_day>>;

// One page, then the next while KIS says there are more.
void ask_page(caf::event_based_actor* self, const rest_gateway_actor& gateway, std::int32_t today,
              std::chrono::seconds limit, api::continuation next, int page,
              std::shared_ptr<std::vector<market_day>> days,
              std::shared_ptr<std::promise<days_result>> done) {
  auto params = api::holiday_params(today, next.fk, next.nk);
  if (!params) {
    done->set_value(params.error());
    return;
  }
  rest_call call{endpoint_id::holidays, std::move(params.value()), next.more ? "N" : "",
                 permit_class::history};
  self->request(gateway, limit, std::move(call))
      .then(
          [=](rest_reply& reply) {
            http_exchange ex;
            ex.http_status = reply.http_status;
            ex.tr_cont = reply.tr_cont;
            ex.body = std::move(reply.body);
            ex.sent = true;
            auto root = api::parse_reply(ex);
            if (!root) {
              done->set_value(root.error());
              return;
            }
            auto decoded = api::decode_holidays(*root, ex.tr_cont);
            if (!decoded) {
              done->set_value(decoded.error());
              return;
            }
            days->insert(days->end(), decoded->days.begin(), decoded->days.end());
            if (decoded->next.more && page + 1 < holiday_max_pages)
              ask_page(self, gateway, today, limit, decoded->next, page + 1, days, done);
            else
              done->set_value(std::move(*days));
          },
          [done](caf::error& err) {
            auto v = view(err);
            done->set_value(api::make_api_error(v.code == errc::none ? errc::transport : v.code,
                                                v.message.empty() ? "no answer" : v.message));
          });
}

} // namespace

api::result<std::vector<market_day>> ask_holidays(caf::actor_system& sys, actor_owner& owner,
                                                  const rest_gateway_actor& gateway,
                                                  std::int32_t today, std::chrono::seconds limit) {
  auto done = std::make_shared<std::promise<days_result>>();
  auto result = done->get_future();
  owner.own(sys.spawn([=](caf::event_based_actor* self) {
    ask_page(self, gateway, today, limit, {}, 0, std::make_shared<std::vector<market_day>>(), done);
  }));
  if (auto days = wait_unless_stopped(result))
    return std::move(*days);
  return api::make_api_error(errc::cancelled, "stop requested");
}

std::shared_ptr<const sessions::calendar>
with_kis_holidays(caf::actor_system& sys, actor_owner& owner, const rest_gateway_actor& gateway,
                  std::shared_ptr<const sessions::calendar> base,
                  const std::filesystem::path& cache, std::int32_t today) {
  auto days = read_holiday_cache(cache, today);
  if (!days) {
    auto asked = ask_holidays(sys, owner, gateway, today, std::chrono::seconds{60});
    if (!asked) {
      log::warn("chk-holiday: {}; the configured holiday list stays in force",
                asked.error().message);
      return base;
    }
    days = std::move(asked.value());
    if (auto err = write_holiday_cache(cache, today, *days))
      log::warn("chk-holiday: {}; it is asked again at the next start", err->message);
  }
  auto corrected = std::make_shared<sessions::calendar>(*base);
  corrected->apply(*days);
  log::info("chk-holiday: {} days from {} applied to the calendar", days->size(), today);
  return corrected;
}

} // namespace kis::runtime
