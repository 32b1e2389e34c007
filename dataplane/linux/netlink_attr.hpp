#pragma once
// libmnl's mnl_attr_for_each is a C macro that assigns void* (ill-formed in C++); this is
// the same walk with the casts spelled out. Private to dataplane/linux.
#include <libmnl/libmnl.h>

#include <cstddef>

namespace vpnlab::dataplane {

template <typename F>
void for_each_attr(const nlmsghdr* nlh, std::size_t header_len, F&& fn) {
  const auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, header_len));
  const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  while (mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
    fn(attr);
    attr = static_cast<const nlattr*>(mnl_attr_next(attr));
  }
}

}  // namespace vpnlab::dataplane
