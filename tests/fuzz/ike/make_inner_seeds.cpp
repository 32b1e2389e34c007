// Writes the ike_inner seed corpus: the decrypted payload chains of the messages two real
// vpnlab IKE peers exchange (tests/exchange/ike Lab: the real IkeManager and tasks, the real
// SK ciphers) through IKE_AUTH, CHILD_SA rekeys with and without PFS, an IKE_SA rekey,
// DPD, a CHILD_SA delete and an IKE_SA delete. Each datagram is opened with the receiving
// peer's IKE_SA keys and its chain stored in the ike_inner input format.
//   make_inner_seeds DIR
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "ike/codec/message.hpp"
#include "tests/exchange/ike/lab.hpp"
#include "tests/fuzz/ike/ike_inner_input.hpp"

using namespace vpnlab;
using namespace vpnlab::ike;
using namespace vpnlab::ike::test;

namespace {

std::map<std::string, int> written;

void store(const std::string& dir, const Message& m) {
  Bytes out{static_cast<std::uint8_t>(m.header.exchange), m.header.flags,
            static_cast<std::uint8_t>(m.payloads.empty() ? PayloadType::none : m.payloads[0].type)};
  ByteWriter w(out);
  encode_payloads(m.payloads, w);
  std::string name = std::to_string(static_cast<int>(m.header.exchange)) +
                     (m.header.is_response() ? "_response_" : "_request_");
  name += std::to_string(++written[name]);
  std::ofstream(dir + "/" + name, std::ios::binary)
      .write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

/// Opens a datagram with whichever IKE_SA of the receiver it belongs to.
void capture(const std::string& dir, Side& to, const Datagram& d) {
  auto h = decode_header(d.data);
  if (!h || h->exchange == ExchangeType::ike_sa_init) return;
  for (IkeSpi spi : {h->spi_i, h->spi_r}) {
    IkeSa* sa = to.manager->find(spi);
    if (!sa || !sa->cipher()) continue;
    auto m = decode_message(d.data, sa->cipher(), nullptr);
    if (m && *m) return store(dir, **m);
  }
}

void run(const std::string& dir, DhGroup child_dh) {
  PeerConfig l = lab_peer(true), r = lab_peer(false);
  l.child_proposals[0].dh = r.child_proposals[0].dh = child_dh;
  Lab lab(l, r);
  lab.filter = [&](Datagram& d, bool from_left) {
    capture(dir, from_left ? lab.right : lab.left, d);
    return true;
  };
  lab.apply(lab.left, lab.left.manager->connect("tunnel1"));
  lab.deliver();
  auto on_left = [&](const std::function<Actions(IkeSa&)>& f) {
    lab.apply(lab.left, lab.left.manager->with_sa(lab.left.sa()->local_spi(), f));
    lab.deliver();
  };
  on_left([&](IkeSa& sa) { return sa.rekey_child(sa.children()[0].inbound); });
  on_left([](IkeSa& sa) { return sa.send_dpd(); });
  on_left([](IkeSa& sa) { return sa.rekey_ike(); });
  on_left([&](IkeSa& sa) { return sa.delete_child(sa.children()[0].inbound); });
  on_left([](IkeSa& sa) { return sa.close(); });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_inner_seeds DIR\n");
    return 2;
  }
  run(argv[1], DhGroup::none);
  run(argv[1], DhGroup::ecp_256);
  int total = 0;
  for (const auto& [name, n] : written) total += n;
  std::printf("%d payload chains written\n", total);
  return total > 0 ? 0 : 1;
}
