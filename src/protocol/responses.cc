// Rendering outputs and errors in the caller's protocol (sqs-api.md §1.3.2–1.3.3, §1.4.2–1.4.3).

#include "protocol/escape.h"
#include "protocol/protocol.h"
#include "protocol/writers.h"

namespace wharf::protocol {
namespace {

constexpr std::string_view kXmlContentType = "text/xml";
constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";
constexpr std::string_view kJson11ContentType = "application/x-amz-json-1.1";
constexpr std::string_view kXmlns = "http://queue.amazonaws.com/doc/2012-11-05/";
constexpr std::string_view kIamXmlns = "https://iam.amazonaws.com/doc/2010-05-08/";
constexpr std::string_view kStsXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";
constexpr std::string_view kSnsXmlns = "http://sns.amazonaws.com/doc/2010-03-31/";  // http

std::string_view XmlnsOf(api::Service service) {
  switch (service) {
    case api::Service::kSqs:
      return kXmlns;
    case api::Service::kIam:
      return kIamXmlns;
    case api::Service::kSts:
      return kStsXmlns;
    case api::Service::kKms:
      break;  // JSON only
    case api::Service::kSns:
      return kSnsXmlns;
  }
  return kXmlns;
}

std::string_view MessageOf(Protocol protocol, const api::ApiError& error) {
  if (!error.message.empty()) return error.message;
  // The one message AWS words differently per protocol.
  if (protocol == Protocol::kQuery && error.code == api::ErrorCode::kQueueDoesNotExist) {
    return "The specified queue does not exist for this wsdl version.";
  }
  return api::InfoOf(error.code).message;
}

}  // namespace

EncodedResponse EncodeSuccess(Protocol protocol, api::Action action, std::string_view request_id,
                              api::Shape output) {
  EncodedResponse response;
  if (protocol == Protocol::kJson10 || protocol == Protocol::kJson11) {
    response.content_type = protocol == Protocol::kJson10 ? kJsonContentType : kJson11ContentType;
    JsonWriter writer(response.body);
    writer.BeginObject();
    output.Describe(writer);
    writer.EndObject();
    return response;
  }
  const api::ActionInfo& info = api::InfoOf(action);
  std::string& out = response.body;
  response.content_type = kXmlContentType;
  out.append(R"(<?xml version="1.0"?><)");
  out.append(info.name);
  out.append(R"(Response xmlns=")");
  out.append(XmlnsOf(info.service));
  out.append(R"(">)");
  if (info.has_output) {
    out.push_back('<');
    out.append(info.name);
    out.append("Result>");
    XmlWriter writer(out);
    output.Describe(writer);
    out.append("</");
    out.append(info.name);
    out.append("Result>");
  }
  out.append("<ResponseMetadata><RequestId>");
  AppendXmlEscaped(out, request_id);
  out.append("</RequestId></ResponseMetadata></");
  out.append(info.name);
  out.append("Response>");
  return response;
}

EncodedResponse EncodeError(Protocol protocol, std::string_view request_id,
                            const api::ApiError& error, api::Service service) {
  const api::ErrorInfo& info = api::InfoOf(error.code);
  const std::string_view fault = info.fault == api::Fault::kSender ? "Sender" : "Receiver";
  EncodedResponse response;
  response.status = info.http_status;
  std::string& out = response.body;
  if (protocol == Protocol::kJson11) {
    // KMS: no query-compatible header, its own names, 400 for every client error.
    response.status = KmsHttpStatus(error.code);
    response.content_type = kJson11ContentType;
    out.append(R"({"__type":")");
    AppendJsonEscaped(out, KmsErrorType(error.code));
    out.append(R"(","message":")");
    AppendJsonEscaped(out, MessageOf(protocol, error));
    out.append(R"("})");
    return response;
  }
  if (protocol == Protocol::kJson10) {
    response.content_type = kJsonContentType;
    response.query_error = std::string(info.query_code) + ";" + std::string(fault);
    out.append(R"({"__type":")");
    AppendJsonEscaped(out, info.json_type);
    out.append(R"(","message":")");
    AppendJsonEscaped(out, MessageOf(protocol, error));
    out.append(R"("})");
    return response;
  }
  response.content_type = kXmlContentType;
  out.append(R"(<?xml version="1.0"?><ErrorResponse xmlns=")");
  out.append(XmlnsOf(service));
  out.append(R"("><Error><Type>)");
  out.append(fault);
  out.append("</Type><Code>");
  AppendXmlEscaped(out, info.query_code);
  out.append("</Code><Message>");
  AppendXmlEscaped(out, MessageOf(protocol, error));
  out.append("</Message>");
  if (service == api::Service::kSqs) out.append("<Detail/>");
  out.append("</Error><RequestId>");
  AppendXmlEscaped(out, request_id);
  out.append("</RequestId></ErrorResponse>");
  return response;
}

EncodedResponse EncodeRouteError(const RouteError& error, std::string_view request_id) {
  if (error.unknown_operation_404) {
    EncodedResponse response;
    response.status = 404;
    response.content_type = kXmlContentType;
    response.body = "<UnknownOperationException/>";
    return response;
  }
  return EncodeError(error.protocol, request_id, error.error, error.service);
}

}  // namespace wharf::protocol
