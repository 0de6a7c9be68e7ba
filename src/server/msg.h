/*
 * msg.h - the message catalogue: every word a page shows, Vietnamese
 * first, English second.  One table (msg.c) built from MSG(id, vi, en);
 * pages name messages by id and never hold text of their own.
 */
#ifndef UC_SERVER_MSG_H
#define UC_SERVER_MSG_H

enum msg_lang { LANG_VI = 0, LANG_EN = 1 };

#define MSG_TABLE \
MSG(M_TITLE, "Thẻ đoàn viên", "Union member cards") \
MSG(M_SIGN_IN, "Đăng nhập", "Sign in") \
MSG(M_SIGN_OUT, "Đăng xuất", "Sign out") \
MSG(M_ACCOUNT, "Tài khoản", "Account") \
MSG(M_PASSWORD, "Mật khẩu", "Password") \
MSG(M_UNIT, "Đơn vị", "Unit") \
MSG(M_ROLE, "Vai trò", "Role") \
MSG(M_ERR_SUMMARY, "Có lỗi cần sửa", "There is a problem") \
MSG(M_ERR_ACCOUNT_EMPTY, "Nhập tên tài khoản", "Enter your account name") \
MSG(M_ERR_PASSWORD_EMPTY, "Nhập mật khẩu", "Enter your password") \
MSG(M_ERR_LOGIN, "Tài khoản hoặc mật khẩu không đúng", \
    "The account or password is not right") \
MSG(M_ERR_LOCKED, "Tài khoản đang bị khoá tạm thời; hãy thử lại sau", \
    "The account is locked for now; try again later") \
MSG(M_ERR_CSRF, "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang.", \
    "The form has expired or is not valid. Reload the page.") \
MSG(M_ERR_TOO_LARGE, "Tệp quá lớn", "The file is too large") \
MSG(M_ERR_NOT_FOUND, "Không tìm thấy trang", "Page not found") \
MSG(M_ERR_FORBIDDEN, "Không được phép", "Not allowed") \
MSG(M_ERR_BUSY, "Hệ thống đang bận. Hãy thử lại.", \
    "The ledger is busy. Try again.") \
MSG(M_ERR_FAILED, "Không thực hiện được", "That could not be done") \
MSG(M_ERR_CSV_EMPTY, "Chọn tệp CSV danh sách đoàn viên", \
    "Choose a CSV file of members") \
MSG(M_ERR_REASON_EMPTY, "Nhập lý do", "Enter a reason") \
MSG(M_ERR_CSV, "Tệp có lỗi; chưa lưu gì. Sửa các lỗi sau rồi tải lên lại.", \
    "The file has errors; nothing was saved. Fix them and upload it again.") \
MSG(M_ERR_MORE, "Còn lỗi khác chưa hiện", "There are more errors not shown") \
MSG(M_LINE, "Dòng", "Line") \
MSG(M_FIELD, "cột", "column") \
MSG(M_MEMBERS, "Đoàn viên", "Members") \
MSG(M_MEMBERS_OF, "Đoàn viên của đơn vị", "Members of the unit") \
MSG(M_SEARCH, "Tìm theo tên, CCCD hoặc mã đoàn viên", \
    "Search by name, ID or member code") \
MSG(M_STATUS, "Trạng thái", "Status") \
MSG(M_ALL, "Tất cả", "All") \
MSG(M_FIND, "Tìm", "Search") \
MSG(M_NAME, "Họ và tên", "Full name") \
MSG(M_NATIONAL_ID, "Số CCCD", "National ID") \
MSG(M_MEMBER_CODE, "Mã đoàn viên", "Member code") \
MSG(M_DOB, "Ngày sinh", "Date of birth") \
MSG(M_NONE, "Không có", "None") \
MSG(M_UPLOAD, "Tải lên danh sách (CSV)", "Upload a list (CSV)") \
MSG(M_UPLOAD_FILE, "Tệp CSV", "CSV file") \
MSG(M_UPLOAD_BTN, "Tải lên", "Upload") \
MSG(M_IMPORTED, "Đã nhập đoàn viên:", "Members imported:") \
MSG(M_SUBMIT_MEMBERS, "Gửi duyệt các đoàn viên mới nhập", \
    "Send the entered members for approval") \
MSG(M_SUBMITTED, "Đã gửi duyệt:", "Sent for approval:") \
MSG(M_QUEUE, "Chờ duyệt", "Awaiting approval") \
MSG(M_QUEUE_MEMBERS, "Đoàn viên chờ duyệt từ các đơn vị trực thuộc", \
    "Members awaiting approval from the units directly below") \
MSG(M_QUEUE_REQUESTS, "Đề nghị in thẻ chờ duyệt", \
    "Print requests awaiting approval") \
MSG(M_APPROVE, "Duyệt", "Approve") \
MSG(M_APPROVE_ALL, "Duyệt tất cả của đơn vị", "Approve all of the unit") \
MSG(M_REJECT, "Từ chối", "Reject") \
MSG(M_REASON, "Lý do", "Reason") \
MSG(M_APPROVED, "Đã duyệt:", "Approved:") \
MSG(M_REJECTED, "Đã từ chối", "Rejected") \
MSG(M_REQUESTS, "Đề nghị in thẻ", "Print requests") \
MSG(M_NEW_REQUEST, "Lập đề nghị in thẻ cho các đoàn viên đã duyệt", \
    "Make a print request for the approved members") \
MSG(M_CARD_TYPE, "Loại thẻ", "Card type") \
MSG(M_TYPE_REGULAR, "Thẻ thông thường", "Regular card") \
MSG(M_TYPE_LINKED, "Thẻ liên kết", "Linked card") \
MSG(M_CREATE, "Lập đề nghị", "Make the request") \
MSG(M_REQUEST_NO, "Số", "No.") \
MSG(M_DATE, "Ngày", "Date") \
MSG(M_LINES, "Số thẻ", "Cards") \
MSG(M_TOTAL, "Tổng phí (VND)", "Total fee (VND)") \
MSG(M_ACTIONS, "Thao tác", "Actions") \
MSG(M_SUBMIT, "Gửi lên cấp trên", "Send up for approval") \
MSG(M_ACCEPT, "Nhận in", "Accept for printing") \
MSG(M_DONE, "Đã thực hiện", "Done") \
MSG(M_CARDS, "Thẻ", "Cards") \
MSG(M_SERIAL, "Số sê-ri thẻ", "Card serial") \
MSG(M_LANG_OTHER, "English", "Tiếng Việt") \
MSG(M_SKIP, "Bỏ qua đến nội dung chính", "Skip to main content") \
MSG(M_HOME, "Trang chính", "Home") \
MSG(M_ROLE_CLERK, "Cán bộ nhập liệu", "Clerk") \
MSG(M_ROLE_APPROVER, "Cán bộ duyệt", "Approver") \
MSG(M_ROLE_PRINTER, "In thẻ (tỉnh)", "Printing (province)") \
MSG(M_ROLE_LIAISON, "Liên lạc ngân hàng", "Bank liaison") \
MSG(M_ROLE_ADMIN, "Quản trị", "Administrator")

enum msg_id {
#define MSG(id, vi, en) id,
	MSG_TABLE
#undef MSG
	MSG_COUNT
};

const char *msg(enum msg_lang lang, enum msg_id id);

#endif
