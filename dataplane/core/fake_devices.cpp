#include "dataplane/core/fake_devices.hpp"

#include <algorithm>
#include <cstring>

namespace vpnlab::dataplane {

namespace {
// Copies bytes into a fresh pool buffer; false when the pool is empty or it does not fit.
bool fill(PooledPacket& p, ByteSpan bytes) {
  if (!p || bytes.size() > p->writable().size()) return false;
  std::memcpy(p->data(), bytes.data(), bytes.size());
  p->set_size(static_cast<std::uint32_t>(bytes.size()));
  return true;
}
}  // namespace

Result<std::size_t> FakeTun::read_batch(PacketBatch& out, PacketPool& pool) {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  while (n < batch_ && !out.full() && !from_host_.empty()) {
    PooledPacket p = pool.acquire();
    if (!fill(p, from_host_.front())) break;
    from_host_.pop_front();
    out.push(std::move(p));
    ++n;
  }
  return n;
}

Result<std::size_t> FakeTun::write_batch(PacketBatch& in) {
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < in.size(); ++i) {
    auto b = in[i].bytes();
    to_host_.emplace_back(b.begin(), b.end());
  }
  std::size_t n = in.size();
  in.clear();
  return n;
}

std::vector<Bytes> FakeTun::take_written() {
  std::lock_guard lock(mu_);
  std::vector<Bytes> out;
  out.swap(to_host_);
  return out;
}

void FakeNetwork::attach(FakeSocket* socket) {
  std::lock_guard lock(mu_);
  sockets_[socket->local()].sockets.push_back(socket);
}
void FakeNetwork::detach(FakeSocket* socket) {
  std::lock_guard lock(mu_);
  auto it = sockets_.find(socket->local());
  if (it == sockets_.end()) return;
  auto& v = it->second.sockets;
  v.erase(std::remove(v.begin(), v.end(), socket), v.end());
  if (v.empty()) sockets_.erase(it);
}

void FakeNetwork::deliver(const Endpoint& from, const Endpoint& to, Bytes payload) {
  std::lock_guard lock(mu_);
  if (tap_ && !tap_(from, to, payload)) return;
  auto it = sockets_.find(to);
  if (it == sockets_.end()) return;
  Bound& b = it->second;
  b.sockets[b.next++ % b.sockets.size()]->receive(from, std::move(payload));
}

FakeSocket::FakeSocket(FakeNetwork& net, Endpoint local, bool udp_encap, std::size_t batch)
    : net_(net), local_(local), udp_(udp_encap), batch_(batch) {
  net_.attach(this);
}

FakeSocket::~FakeSocket() {
  net_.detach(this);
}

Result<std::size_t> FakeSocket::read_batch(PacketBatch& out, PacketPool& pool) {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  while (n < batch_ && !out.full() && !inbox_.empty()) {
    PooledPacket p = pool.acquire();
    if (!fill(p, inbox_.front().payload)) break;
    p->peer = inbox_.front().from;
    inbox_.pop_front();
    out.push(std::move(p));
    ++n;
  }
  return n;
}

Result<std::size_t> FakeSocket::write_batch(PacketBatch& in) {
  std::size_t n = in.size();
  for (std::size_t i = 0; i < n; ++i) {
    auto b = in[i].bytes();
    net_.deliver(local_, in[i].peer, Bytes(b.begin(), b.end()));
  }
  in.clear();
  return n;
}

}  // namespace vpnlab::dataplane
