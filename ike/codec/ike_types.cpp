#include "ike/codec/ike_types.hpp"

namespace vpnlab::ike {

std::string_view to_string(ExchangeType t) {
  switch (t) {
    case ExchangeType::ike_sa_init:
      return "IKE_SA_INIT";
    case ExchangeType::ike_auth:
      return "IKE_AUTH";
    case ExchangeType::create_child_sa:
      return "CREATE_CHILD_SA";
    case ExchangeType::informational:
      return "INFORMATIONAL";
  }
  return "UNKNOWN_EXCHANGE";
}

bool is_known_payload(PayloadType t) {
  return t != PayloadType::none && to_string(t) != "UNKNOWN_PAYLOAD";
}

std::string_view to_string(PayloadType t) {
  switch (t) {
    case PayloadType::none:
      return "NONE";
    case PayloadType::sa:
      return "SA";
    case PayloadType::ke:
      return "KE";
    case PayloadType::id_i:
      return "IDi";
    case PayloadType::id_r:
      return "IDr";
    case PayloadType::cert:
      return "CERT";
    case PayloadType::certreq:
      return "CERTREQ";
    case PayloadType::auth:
      return "AUTH";
    case PayloadType::nonce:
      return "Ni/Nr";
    case PayloadType::notify:
      return "N";
    case PayloadType::delete_:
      return "D";
    case PayloadType::vendor_id:
      return "V";
    case PayloadType::ts_i:
      return "TSi";
    case PayloadType::ts_r:
      return "TSr";
    case PayloadType::sk:
      return "SK";
    case PayloadType::cp:
      return "CP";
    case PayloadType::eap:
      return "EAP";
    case PayloadType::skf:
      return "SKF";
  }
  return "UNKNOWN_PAYLOAD";
}

std::string_view to_string(NotifyType t) {
  switch (t) {
    case NotifyType::none:
      return "NONE";
    case NotifyType::unsupported_critical_payload:
      return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case NotifyType::invalid_ike_spi:
      return "INVALID_IKE_SPI";
    case NotifyType::invalid_major_version:
      return "INVALID_MAJOR_VERSION";
    case NotifyType::invalid_syntax:
      return "INVALID_SYNTAX";
    case NotifyType::invalid_message_id:
      return "INVALID_MESSAGE_ID";
    case NotifyType::invalid_spi:
      return "INVALID_SPI";
    case NotifyType::no_proposal_chosen:
      return "NO_PROPOSAL_CHOSEN";
    case NotifyType::invalid_ke_payload:
      return "INVALID_KE_PAYLOAD";
    case NotifyType::authentication_failed:
      return "AUTHENTICATION_FAILED";
    case NotifyType::single_pair_required:
      return "SINGLE_PAIR_REQUIRED";
    case NotifyType::no_additional_sas:
      return "NO_ADDITIONAL_SAS";
    case NotifyType::internal_address_failure:
      return "INTERNAL_ADDRESS_FAILURE";
    case NotifyType::failed_cp_required:
      return "FAILED_CP_REQUIRED";
    case NotifyType::ts_unacceptable:
      return "TS_UNACCEPTABLE";
    case NotifyType::invalid_selectors:
      return "INVALID_SELECTORS";
    case NotifyType::temporary_failure:
      return "TEMPORARY_FAILURE";
    case NotifyType::child_sa_not_found:
      return "CHILD_SA_NOT_FOUND";
    case NotifyType::initial_contact:
      return "INITIAL_CONTACT";
    case NotifyType::set_window_size:
      return "SET_WINDOW_SIZE";
    case NotifyType::additional_ts_possible:
      return "ADDITIONAL_TS_POSSIBLE";
    case NotifyType::ipcomp_supported:
      return "IPCOMP_SUPPORTED";
    case NotifyType::nat_detection_source_ip:
      return "NAT_DETECTION_SOURCE_IP";
    case NotifyType::nat_detection_destination_ip:
      return "NAT_DETECTION_DESTINATION_IP";
    case NotifyType::cookie:
      return "COOKIE";
    case NotifyType::use_transport_mode:
      return "USE_TRANSPORT_MODE";
    case NotifyType::rekey_sa:
      return "REKEY_SA";
    case NotifyType::esp_tfc_padding_not_supported:
      return "ESP_TFC_PADDING_NOT_SUPPORTED";
    case NotifyType::non_first_fragments_also:
      return "NON_FIRST_FRAGMENTS_ALSO";
    case NotifyType::ikev2_fragmentation_supported:
      return "IKEV2_FRAGMENTATION_SUPPORTED";
    case NotifyType::signature_hash_algorithms:
      return "SIGNATURE_HASH_ALGORITHMS";
  }
  return "UNKNOWN_NOTIFY";
}

}  // namespace vpnlab::ike
