# Grosse, CSC 311 Introduction to Machine Learning (Neural Computation),
# slides "Computation Graphs", "Forward Pass" and "Backward Pass":
# z = (a + b) * (b + c) at a = -1, b = 3, c = 4 gives x = 2, y = 7, z = 14,
# dz/dx = 7, dz/dy = 2, dz/da = 7, dz/db = 9, dz/dc = 2.
a = -1
b = 3
c = 4
x = a + b
y = b + c
z = x * y
